import { z } from 'zod';

/**
 * A UUID in the canonical lowercase text form Postgres prints (`uuid::text`).
 *
 * RATIONALE: not `z.uuid()`. Postgres' `uuid` type stores any 128-bit value regardless of
 * version/variant bits, and topic names are compared as text in RLS policies, so the contract
 * accepts exactly what the database emits: lowercase hex 8-4-4-4-12, any version.
 */
export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export const uuidSchema = z.string().regex(UUID_PATTERN, 'Invalid UUID: expected lowercase 8-4-4-4-12 hex');
