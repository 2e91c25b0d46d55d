import { z } from 'zod';

/**
 * Payload schemas of the client pushes (protocol reference §2.2, §4.1, §6.5). Realtime validates
 * the join payload only to log it: fields that don't parse fall back to their defaults and the
 * join goes on (§2.2), hence the `.catch()`es.
 */

/** Realtime's FlexibleBoolean: booleans, or "true"/"false" in any case. */
const flexibleBoolean = z.union([
  z.boolean(),
  z
    .string()
    .regex(/^(true|false)$/i)
    .transform((s) => s.toLowerCase() === 'true'),
]);

/** `config.broadcast.replay` (§3.4); checked by the join, which refuses invalid params. */
export const replaySchema = z.object({ since: z.number().int().nonnegative(), limit: z.number().int().optional() });

const broadcastConfigSchema = z.object({
  ack: flexibleBoolean.catch(false).default(false),
  self: flexibleBoolean.catch(false).default(false),
  replay: z.unknown().optional(),
});

const presenceConfigSchema = z.object({
  key: z.string().catch('').default(''),
  enabled: flexibleBoolean.catch(false).default(false),
});

const objectOf = <T extends z.ZodType>(schema: T, fallback: z.output<T>) =>
  z
    .unknown()
    .optional()
    .transform((value) => {
      const parsed = schema.safeParse(value ?? {});
      return parsed.success ? parsed.data : fallback;
    });

export const joinPayloadSchema = z
  .object({
    config: objectOf(
      z.object({
        broadcast: objectOf(broadcastConfigSchema, { ack: false, self: false }),
        presence: objectOf(presenceConfigSchema, { key: '', enabled: false }),
        // Postgres-changes params are taken raw, nil entries removed (§2.2), so `select` etc. pass through.
        postgres_changes: z
          .array(z.unknown())
          .catch([])
          .default([])
          .transform((list) => list.filter((entry) => entry !== null && entry !== undefined)),
        private: flexibleBoolean.catch(false).default(false),
      }),
      {
        broadcast: { ack: false, self: false },
        presence: { key: '', enabled: false },
        postgres_changes: [],
        private: false,
      },
    ),
    access_token: z.string().nullish().catch(null),
    /** Legacy alias of `access_token` (§2.2). */
    user_token: z.string().nullish().catch(null),
  })
  .catch({
    config: {
      broadcast: { ack: false, self: false },
      presence: { key: '', enabled: false },
      postgres_changes: [],
      private: false,
    },
    access_token: null,
    user_token: null,
  });

export const presencePushSchema = z.object({
  event: z.string().optional(),
  payload: z.unknown().optional(),
});

export const accessTokenPushSchema = z.object({ access_token: z.string().nullish() });

/** A JSON broadcast push (vsn 1.0.0, or a V2 text frame): the whole `send()` argument object (§3.1). */
export const jsonBroadcastPushSchema = z.custom<Record<string, unknown>>(
  (value) => typeof value === 'object' && value !== null && !Array.isArray(value),
  'a broadcast push is a JSON object',
);
// RATIONALE: z.custom checks the shape without copying it; z.record rebuilt every pushed payload
// key by key on the fan-out's hot path, for a value that is only passed on.
