import type { IncomingMessage } from 'node:http';
import type { z } from 'zod';
import { BodyTooLargeError, InvalidJsonError, readJsonBody as readJson } from '../http.ts';
import { AuthError } from './auth-error.ts';

/** Auth bodies are a few credentials; 64 KiB leaves room and keeps a runaway client from making us buffer much. */
const AUTH_BODY_LIMIT = 64 * 1024;

/**
 * Reads and validates a JSON body with GoTrue's refusals: unparsable JSON is `bad_json`, a body
 * of the wrong shape is `validation_failed` naming the field. An empty body counts as `{}`. The
 * body is read with the same strict UTF-8 and nesting limits as every other service's.
 */
export async function readJsonBody<Schema extends z.ZodType>(
  req: IncomingMessage,
  schema: Schema,
): Promise<z.infer<Schema>> {
  let value: unknown;
  try {
    value = await readJson(req, { limit: AUTH_BODY_LIMIT, emptyAs: {} });
  } catch (error) {
    if (error instanceof BodyTooLargeError) throw new AuthError(413, 'validation_failed', error.message);
    // Invalid UTF-8 and runaway nesting too, as /rest/v1 and /realtime/v1 refuse them.
    if (error instanceof InvalidJsonError)
      throw new AuthError(400, 'bad_json', `Could not parse request body as JSON: ${error.message}`);
    throw error;
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
    throw new AuthError(400, 'validation_failed', `Invalid request body: ${where}${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}
