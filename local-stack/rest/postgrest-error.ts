import { isPostgresError } from '../db/index.ts';

/** `details` is text, except for PGRST201, which lists the candidate relationships. */
export type ErrorDetails = string | null | readonly Readonly<Record<string, string>>[];

/** The JSON body PostgREST answers every error with. */
export interface PostgrestErrorBody {
  code: string;
  message: string;
  details: ErrorDetails;
  hint: string | null;
}

/** An error answered in PostgREST's shape with PostgREST's status; anything else is a 500. */
export class PostgrestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ErrorDetails = null,
    readonly hint: string | null = null,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  toJSON(): PostgrestErrorBody {
    return { code: this.code, details: this.details, hint: this.hint, message: this.message };
  }
}

/** PGRST100: a query parameter PostgREST's parser would refuse. */
export function parseError(what: string, input: string, details: string): PostgrestError {
  return new PostgrestError(400, 'PGRST100', `failed to parse ${what} (${input})`, details);
}

/**
 * PostgREST's SQLSTATE → HTTP status table (its `Error.hs`). 42501 is 401 for the anon role and
 * 403 for everyone else, so an anonymous client knows that signing in might help.
 */
export function statusForSqlState(code: string, anonymous: boolean): number {
  if (code === '42501') return anonymous ? 401 : 403;
  const exact: Record<string, number> = {
    '23503': 409,
    '23505': 409,
    '25006': 405,
    P0001: 400,
    '42883': 404,
    '42P01': 404,
    '42P17': 500,
  };
  if (exact[code] !== undefined) return exact[code];
  if (/^PT\d{3}$/.test(code)) return Number(code.slice(2));
  const byClass: Record<string, number> = {
    '08': 503,
    '09': 500,
    '0L': 403,
    '0P': 403,
    '25': 500,
    '28': 403,
    '2D': 500,
    '38': 500,
    '39': 500,
    '3B': 500,
    '40': 500,
    '53': 503,
    '54': 500,
    '55': 500,
    '57': 500,
    '58': 500,
    F0: 500,
    HV: 500,
    P0: 500,
    XX: 500,
  };
  return byClass[code.slice(0, 2)] ?? 400;
}

/** Turns whatever a request threw into a PostgREST error; Postgres errors keep their SQLSTATE. */
export function toPostgrestError(error: unknown, anonymous: boolean): PostgrestError {
  if (error instanceof PostgrestError) return error;
  if (isPostgresError(error) && error.code && /^[0-9A-Z]{5}$/.test(error.code)) {
    return new PostgrestError(
      statusForSqlState(error.code, anonymous),
      error.code,
      error.message,
      error.detail ?? null,
      error.hint ?? null,
    );
  }
  return new PostgrestError(500, 'PGRST000', error instanceof Error ? error.message : String(error));
}
