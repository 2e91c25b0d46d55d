import { z } from 'zod';
import type { Json } from '../contract/index.ts';
import type { CoreContext } from './core-context.ts';
import { publisherFromRecord, type Publisher, type PublisherChanges } from './publisher.ts';
import { RealtimeError } from './realtime-error.ts';

export interface SaveConflict {
  readonly field: string;
  readonly yours: unknown;
  readonly current: unknown;
  readonly updatedBy: string | null;
  readonly updatedAt: string | null;
}

export type SaveResult =
  | { readonly ok: true; readonly publisher: Publisher }
  | {
      readonly ok: false;
      readonly conflicts: readonly SaveConflict[];
      readonly publisher?: Publisher;
      readonly error?: RealtimeError;
    };

const saveResultSchema = z.object({
  ok: z.boolean(),
  publisher: z.unknown().optional(),
  conflicts: z
    .array(
      z.object({
        field: z.string(),
        yours: z.unknown(),
        current: z.unknown(),
        updatedBy: z.string().nullish(),
        updatedAt: z.string().nullish(),
      }),
    )
    .optional(),
});

/**
 * One `save_publisher` call against the version `base` (the record as this client last saw it):
 * the answer as a SaveResult, and the row after the save when the database returned one.
 */
export async function savePublisher(
  ctx: Pick<CoreContext, 'supabase'>,
  publisherId: string,
  base: Publisher | null,
  changes: PublisherChanges,
): Promise<{ result: SaveResult; saved: Publisher | null }> {
  const failed = (error: RealtimeError) => ({ result: { ok: false, conflicts: [], error } as const, saved: null });
  if (!base) {
    return failed(new RealtimeError({ kind: 'request', operation: 'save', status: 404 }, 'publisher not readable'));
  }
  const { data, error } = await ctx.supabase.rpc('save_publisher', {
    publisher_id: publisherId,
    base_version: base.version,
    // Field values as the form holds them; save_publisher checks each field's type.
    changes: changes as Json,
  });
  if (error) return failed(RealtimeError.from({ kind: 'request', operation: 'save' }, error));
  const parsed = saveResultSchema.safeParse(data);
  if (!parsed.success) return failed(new RealtimeError({ kind: 'request', operation: 'save' }, 'unexpected answer'));
  const saved = publisherFromRecord(parsed.data.publisher);
  if (parsed.data.ok && saved) return { result: { ok: true, publisher: saved }, saved };
  const conflicts = (parsed.data.conflicts ?? []).map((c) =>
    Object.freeze({
      field: c.field,
      yours: c.yours,
      current: c.current,
      updatedBy: c.updatedBy ?? null,
      updatedAt: c.updatedAt ?? null,
    }),
  );
  return { result: { ok: false, conflicts, ...(saved ? { publisher: saved } : {}) }, saved };
}
