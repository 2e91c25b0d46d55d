import type { IncomingMessage } from 'node:http';
import type { z } from 'zod';
import { BodyTooLargeError, InvalidJsonError, readJsonBody as readJson } from '../http.ts';
import { AuthError } from './auth-error.ts';

/** GoTrue reads at most 1 MiB of any request body (`limitRequestBody(1 << 20)`). */
const AUTH_BODY_LIMIT = 1 << 20;

export interface ReadAuthBodyOptions {
  /**
   * Whether an empty body stands for `{}`. GoTrue's JSON decoding refuses an empty body
   * ("unexpected end of JSON input"); the /token and /logout handlers always took it as `{}`.
   */
  emptyIsObject?: boolean;
}

/**
 * Reads and validates a JSON body with GoTrue's refusals: a body over 1 MiB is 413
 * `request_entity_too_large`; unparsable JSON and a body of the wrong shape (a string where an
 * object belongs, a number for an email — what Go's `json.Unmarshal` refuses) are 400 `bad_json`
 * naming the field. The body is read with the same strict UTF-8 and nesting limits as every other
 * service's.
 */
export async function readJsonBody<Schema extends z.ZodType>(
  req: IncomingMessage,
  schema: Schema,
  options: ReadAuthBodyOptions = {},
): Promise<z.infer<Schema>> {
  const emptyIsObject = options.emptyIsObject ?? true;
  let value: unknown;
  try {
    value = await readJson(req, { limit: AUTH_BODY_LIMIT, ...(emptyIsObject ? { emptyAs: {} } : {}) });
  } catch (error) {
    if (error instanceof BodyTooLargeError) {
      throw new AuthError(413, 'request_entity_too_large', `Request body too large (max ${AUTH_BODY_LIMIT} bytes)`);
    }
    // Invalid UTF-8 and runaway nesting too, as /rest/v1 and /realtime/v1 refuse them.
    if (error instanceof InvalidJsonError) {
      const detail = /Unexpected end of JSON input/i.test(error.message)
        ? 'unexpected end of JSON input'
        : error.message;
      throw new AuthError(400, 'bad_json', `Could not parse request body as JSON: ${detail}`);
    }
    throw error;
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
    throw new AuthError(
      400,
      'bad_json',
      `Could not parse request body as JSON: ${where}${issue?.message ?? 'invalid'}`,
    );
  }
  return parsed.data;
}
