import { z } from 'zod';
import {
  publisherCollabTopic,
  publisherDraftSchema,
  publisherRecordTopic,
  type PublisherUpdateMessage,
} from '../contract/index.ts';
import { catchUpWhileActive, createCatchUp } from './catch-up.ts';
import type { ChannelHandle, PresenceState } from './channel-registry.ts';
import type { CoreContext } from './core-context.ts';
import { readRows } from './persisted-stream.ts';
import {
  publisherFromRecord,
  publisherFromRow,
  withField,
  type Publisher,
  type PublisherChanges,
} from './publisher.ts';
import { createLatestValueLimiter, type LatestValueLimiter } from './rate-limiter.ts';
import { RealtimeError } from './realtime-error.ts';
import { PUBLISHER_COLUMNS, publisherRowSchema, timeOf } from './rows.ts';
import { createCoalescedStore, type ReadableStore } from './store.ts';

export interface PublisherEditor {
  readonly userId: string;
  /** The field being edited; null for a viewer. */
  readonly field: string | null;
}

export interface PublisherDraftValue {
  readonly userId: string;
  readonly field: string;
  readonly value: unknown;
  readonly timestamp: string;
}

export interface PublisherRecordSnapshot {
  /** null until loaded, or when the user may not (or no longer) read the record. */
  readonly publisher: Publisher | null;
  readonly viewers: readonly string[];
  readonly editors: readonly PublisherEditor[];
  readonly drafts: readonly PublisherDraftValue[];
}

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

export interface PublisherRecordStore extends ReadableStore<PublisherRecordSnapshot> {
  setEditing(field: string | null): void;
  /** Broadcasts the value being typed (throttled); `null` discards the draft. */
  draft(field: string, value: unknown): void;
  /** Saves changed fields against the version this client last saw; fields others changed meanwhile come back as conflicts. */
  save(changes: PublisherChanges): Promise<SaveResult>;
}

/** Drafts go out at most every 150 ms: live enough to watch someone type, far below the messages/s limit. */
const DRAFT_INTERVAL_MS = 150;

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
 * One publisher record: its read-only record topic (the database's field updates, ordered by
 * version) and its collaborative topic (who views and edits which field, live drafts). Both topics
 * name the record's territory, so when it moves (a `territory` update with no new value on the old
 * topic) the store re-reads the row and follows it to the new topics — or drops it when RLS no
 * longer lets the user read it.
 */
export function createPublisherRecordStore(ctx: CoreContext, publisherId: string): PublisherRecordStore {
  let publisher: Publisher | null = null;
  const appliedAtVersion = new Set<string>();
  let presence: PresenceState = {};
  const drafts = new Map<string, PublisherDraftValue>();
  let editing: string | null = null;
  let collab: ChannelHandle | undefined;
  let record: ChannelHandle | undefined;
  let topicsTerritory: string | null | undefined;
  let active = false;
  const draftLimiters = new Map<string, LatestValueLimiter<unknown>>();

  const changed = (): void => store.invalidate();

  const store = createCoalescedStore<PublisherRecordSnapshot>({
    requestFrame: ctx.env.requestFrame,
    now: ctx.env.now,
    build: () => {
      const me = ctx.userId();
      const viewers: string[] = [];
      const editors: PublisherEditor[] = [];
      for (const [userId, metas] of Object.entries(presence)) {
        viewers.push(userId);
        for (const meta of metas) if (typeof meta.editing === 'string') editors.push({ userId, field: meta.editing });
      }
      return Object.freeze({
        publisher,
        viewers: Object.freeze(viewers.sort()),
        editors: Object.freeze(editors),
        drafts: Object.freeze([...drafts.values()].filter((d) => d.userId !== me)),
      });
    },
    onActive: () => {
      active = true;
      reload();
      // The record's own catch-up (catch-up.ts): a dropped update or a missed move notice (a
      // refused re-join of a topic the record left) is repaired by re-reading the row.
      const stopCatchUp = catchUpWhileActive(ctx, rowReader);
      return () => {
        active = false;
        stopCatchUp();
        follow(undefined);
      };
    },
  });

  /** (Re)acquires the record and collab topics of `territory`; `undefined` releases them. */
  const follow = (territory: string | null | undefined): void => {
    if (territory === topicsTerritory && (territory === undefined || record)) return;
    record?.release();
    collab?.release();
    record = collab = undefined;
    presence = {};
    drafts.clear();
    topicsTerritory = territory;
    if (territory === undefined || !active) return;
    const recordTopic = publisherRecordTopic(ctx.organizationId, publisherId, territory);
    const collabTopic = publisherCollabTopic(ctx.organizationId, publisherId, territory);
    record = ctx.acquire(recordTopic, {
      onBroadcast: (event, payload) => {
        const message = ctx.accept(recordTopic, event, payload);
        if (message?.type === 'publisher_update') onUpdate(message);
      },
      onSubscribed: () => reload(),
    });
    collab = ctx.acquire(collabTopic, {
      onPresenceSync: (state) => {
        presence = state;
        changed();
      },
      onBroadcast: (event, payload) => {
        if (event !== 'draft') return;
        const parsed = publisherDraftSchema.safeParse(payload);
        if (!parsed.success || parsed.data.publisherId !== publisherId) {
          return ctx.reportError(
            new RealtimeError({ kind: 'invalid_message', topic: collabTopic, event }, 'invalid draft'),
          );
        }
        const { userId, field, value, timestamp } = parsed.data;
        if (value === null) drafts.delete(`${userId}:${field}`);
        else drafts.set(`${userId}:${field}`, Object.freeze({ userId, field, value, timestamp }));
        changed();
      },
    });
    void ctx.ready.then((userId) => userId && collab?.track({ userId, editing }));
  };

  const onUpdate = (message: PublisherUpdateMessage): void => {
    const { update } = message.data;
    if (message.data.publisherId !== publisherId) return;
    // A record that moved away: the old topic hears only `territory` without a new value.
    if (update.field === 'territory' && !('newValue' in update)) return reload();
    if (!publisher) return reload();
    if (message.version < publisher.version) return; // stale
    if (message.version > publisher.version + 1) return reload(); // a gap: read the row
    const key = `${message.version}:${update.field}`;
    if (message.version === publisher.version && appliedAtVersion.has(key)) return; // duplicate
    if (message.version > publisher.version) appliedAtVersion.clear();
    appliedAtVersion.add(key);
    publisher = withField(
      publisher,
      update.field,
      update.newValue,
      message.version,
      update.updatedBy,
      new Date(timeOf(message.timestamp)).toISOString(),
    );
    if (update.field === 'territory') follow(publisher.territory);
    changed();
  };

  const readRow = async (): Promise<void> => {
    await ctx.ready;
    const rows = await readRows(
      ctx,
      'publisher read',
      publisherRowSchema,
      ctx.supabase.from('publishers').select(PUBLISHER_COLUMNS).eq('id', publisherId).limit(1),
    );
    if (!rows) return;
    const next = rows[0] ? publisherFromRow(rows[0]) : null;
    if (!next || !publisher || next.version >= publisher.version) {
      if (next?.version !== publisher?.version) appliedAtVersion.clear();
      publisher = next;
    }
    follow(publisher ? publisher.territory : undefined);
    changed();
  };

  // Re-reads coalesce (one in flight, one queued): a re-mount storm or a burst of gaps reads once or twice.
  const rowReader = createCatchUp(readRow, ctx.env, ctx.catchUpIntervalMs);
  const reload = (): void => rowReader.request();

  return {
    subscribe: store.subscribe,
    getSnapshot: store.getSnapshot,
    setEditing(field) {
      editing = field;
      const userId = ctx.userId();
      if (userId) collab?.track({ userId, editing: field });
    },
    draft(field, value) {
      let limiter = draftLimiters.get(field);
      if (!limiter) {
        limiter = createLatestValueLimiter<unknown>(ctx.env, 1, DRAFT_INTERVAL_MS, (latest) => {
          const userId = ctx.userId();
          if (!userId) return;
          collab?.send('draft', {
            publisherId,
            field,
            value: latest,
            userId,
            timestamp: new Date(ctx.env.now()).toISOString(),
          });
        });
        draftLimiters.set(field, limiter);
      }
      limiter.offer(value);
    },
    async save(changes) {
      await ctx.ready;
      if (!publisher) await readRow();
      if (!publisher) {
        return {
          ok: false,
          conflicts: [],
          error: new RealtimeError({ kind: 'request', operation: 'save', status: 404 }, 'publisher not readable'),
        };
      }
      const { data, error } = await ctx.supabase.rpc('save_publisher', {
        publisher_id: publisherId,
        base_version: publisher.version,
        changes,
      });
      if (error)
        return { ok: false, conflicts: [], error: RealtimeError.from({ kind: 'request', operation: 'save' }, error) };
      const parsed = saveResultSchema.safeParse(data);
      if (!parsed.success)
        return {
          ok: false,
          conflicts: [],
          error: new RealtimeError({ kind: 'request', operation: 'save' }, 'unexpected answer'),
        };
      const saved = publisherFromRecord(parsed.data.publisher);
      if (saved && (!publisher || saved.version >= publisher.version)) {
        publisher = saved;
        appliedAtVersion.clear();
        changed();
      }
      if (parsed.data.ok && saved) return { ok: true, publisher: saved };
      const conflicts = (parsed.data.conflicts ?? []).map((c) =>
        Object.freeze({
          field: c.field,
          yours: c.yours,
          current: c.current,
          updatedBy: c.updatedBy ?? null,
          updatedAt: c.updatedAt ?? null,
        }),
      );
      return { ok: false, conflicts, ...(saved ? { publisher: saved } : {}) };
    },
  };
}
