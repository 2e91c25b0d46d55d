import {
  VIEWING_CLAIM,
  editedField,
  editingClaim,
  publisherCollabTopic,
  publisherRecordTopic,
  type PublisherUpdateMessage,
} from '../contract/index.ts';
import { catchUpWhileActive, createCatchUp } from './catch-up.ts';
import type { ChannelHandle } from './channel-types.ts';
import type { CoreContext } from './core-context.ts';
import { createTicketedPresence, type TicketedPresence } from './presence-tickets.ts';
import { createPresenceVerifier, type PresenceVerifier } from './presence-verifier.ts';
import { readRows } from './persisted-stream.ts';
import type { Json } from '../contract/index.ts';
import { publisherFromRow, withField, type Publisher, type PublisherChanges } from './publisher.ts';
import { savePublisher, type SaveResult } from './publisher-save.ts';
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

export type { SaveConflict, SaveResult } from './publisher-save.ts';

export interface PublisherRecordStore extends ReadableStore<PublisherRecordSnapshot> {
  setEditing(field: string | null): void;
  /** Broadcasts the value being typed (throttled); `null` discards the draft. */
  draft(field: string, value: unknown): void;
  /** Saves changed fields against the version this client last saw; fields others changed meanwhile come back as conflicts. */
  save(changes: PublisherChanges): Promise<SaveResult>;
}

/**
 * Drafts go out at most every 250 ms: live enough to watch someone type, and each one is a
 * database call (share_draft authors it), so a fast typist costs at most four a second.
 */
const DRAFT_INTERVAL_MS = 250;

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
  let verifier: PresenceVerifier | undefined;
  let presence: TicketedPresence | undefined;
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
      // Only presence the database vouches for, with the claims it issued (presence-verifier.ts).
      for (const [userId, { claims }] of verifier?.verified() ?? new Map<string, { claims: readonly string[] }>()) {
        viewers.push(userId);
        for (const claim of claims) {
          const field = editedField(claim);
          if (field !== null) editors.push({ userId, field });
        }
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
      // Rights changed: re-read the row (RLS decides), which leaves the topics if it is gone.
      const stopAccess = ctx.onAccessChange((change) => {
        if (change.kind === 'updated') return reload();
        publisher = null;
        follow(undefined);
        changed();
      });
      return () => {
        active = false;
        stopCatchUp();
        stopAccess();
        follow(undefined);
      };
    },
  });

  /** (Re)acquires the record and collab topics of `territory`; `undefined` releases them. */
  const follow = (territory: string | null | undefined): void => {
    if (territory === topicsTerritory && (territory === undefined || record)) return;
    presence?.stop();
    verifier?.stop();
    record?.release();
    collab?.release();
    record = collab = undefined;
    presence = verifier = undefined;
    drafts.clear();
    topicsTerritory = territory;
    if (territory === undefined || !active) return;
    const recordTopic = publisherRecordTopic(ctx.organizationId, publisherId, territory);
    const collabTopic = publisherCollabTopic(ctx.organizationId, publisherId, territory);
    record = ctx.acquire(recordTopic, {
      onBroadcast: (event, payload) => {
        if (event === 'draft') return onDraft(recordTopic, payload);
        const message = ctx.accept(recordTopic, event, payload);
        if (message?.type === 'publisher_update') onUpdate(message);
      },
      onSubscribed: () => reload(),
    });
    const checked = createPresenceVerifier(ctx, collabTopic, changed);
    verifier = checked;
    collab = ctx.acquire(collabTopic, { onPresenceSync: (state) => checked.update(state) });
    presence = createTicketedPresence(ctx, collabTopic, collab);
    presence.claim(editing === null ? VIEWING_CLAIM : editingClaim(editing));
  };

  const onDraft = (topic: string, payload: unknown): void => {
    const draft = ctx.acceptEvent(topic, 'draft', payload);
    if (!draft || draft.publisherId !== publisherId) return;
    const { userId, field, value, timestamp } = draft;
    if (value === null) drafts.delete(`${userId}:${field}`);
    else drafts.set(`${userId}:${field}`, Object.freeze({ userId, field, value, timestamp }));
    changed();
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
      presence?.claim(field === null ? VIEWING_CLAIM : editingClaim(field));
    },
    draft(field, value) {
      let limiter = draftLimiters.get(field);
      if (!limiter) {
        limiter = createLatestValueLimiter<unknown>(ctx.env, 1, DRAFT_INTERVAL_MS, (latest) => {
          void ctx.supabase
            .rpc('share_draft', {
              publisher_id: publisherId,
              field,
              value: latest === undefined ? null : (latest as Json),
            })
            .then(({ error }) => {
              if (error) ctx.reportError(RealtimeError.from({ kind: 'request', operation: 'share_draft' }, error));
            });
        });
        draftLimiters.set(field, limiter);
      }
      limiter.offer(value);
    },
    async save(changes) {
      await ctx.ready;
      if (!publisher) await readRow();
      const { result, saved } = await savePublisher(ctx, publisherId, publisher, changes);
      if (saved && (!publisher || saved.version >= publisher.version)) {
        publisher = saved;
        appliedAtVersion.clear();
        changed();
      }
      return result;
    },
  };
}
