import type { IncomingMessage } from 'node:http';
import type { z } from 'zod';
import { BodyTooLargeError, readBody } from '../http.ts';
import { AuthError } from './auth-error.ts';

/** Auth bodies are a few credentials; 64 KiB leaves room and keeps a runaway client from making us buffer much. */
const AUTH_BODY_LIMIT = 64 * 1024;

/**
 * Reads and validates a JSON body with GoTrue's refusals: unparsable JSON is `bad_json`, a body
 * of the wrong shape is `validation_failed` naming the field. An empty body counts as `{}`.
 */
export async function readJsonBody<Schema extends z.ZodType>(req: IncomingMessage, schema: Schema): Promise<z.infer<Schema>> {
  let raw: Buffer;
  try {
    raw = await readBody(req, AUTH_BODY_LIMIT);
  } catch (error) {
    if (error instanceof BodyTooLargeError) throw new AuthError(413, 'validation_failed', error.message);
    throw error;
  }
  let value: unknown = {};
  if (raw.length > 0) {
    try {
      value = JSON.parse(raw.toString('utf8'));
    } catch (error) {
      throw new AuthError(400, 'bad_json', `Could not parse request body as JSON: ${(error as Error).message}`);
    }
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
    throw new AuthError(400, 'validation_failed', `Invalid request body: ${where}${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}
