import { randomBytes, randomUUID } from 'node:crypto';
import type { PresenceDiff } from './broker.ts';

/**
 * Presence state per namespace topic (§4.2): each tracking channel contributes one meta under its
 * key; several channels (tabs) with one key are several metas. `phx_ref` is opaque and unique per
 * track, like phoenix_pubsub's 8 random bytes in base64; an update carries `phx_ref_prev`.
 */

type Meta = Record<string, unknown> & { phx_ref: string };

interface Entry {
  key: string;
  meta: Meta;
  /** Canonical JSON of the tracked payload, so an identical re-track is a no-op (§4.2). */
  fingerprint: string;
}

export type PresenceState = Record<string, { metas: Meta[] }>;

function newPhxRef(): string {
  return randomBytes(8).toString('base64');
}

/** Realtime generates a UUIDv1; any unique string serves the client the same. */
export function generatedPresenceKey(): string {
  return randomUUID();
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export class PresenceRegistry {
  private readonly topics = new Map<string, Map<object, Entry>>();

  /** Whether `owner` already tracks exactly `payload` under `key`: a re-track is then a no-op (§4.2). */
  isUnchanged(topicKey: string, owner: object, key: string, payload: Record<string, unknown>): boolean {
    const previous = this.topics.get(topicKey)?.get(owner);
    return previous !== undefined && previous.key === key && previous.fingerprint === canonical(payload);
  }

  /** Tracks or updates `owner`'s meta; `null` when nothing changed. */
  track(topicKey: string, owner: object, key: string, payload: Record<string, unknown>): PresenceDiff | null {
    if (this.isUnchanged(topicKey, owner, key, payload)) return null;
    let entries = this.topics.get(topicKey);
    if (!entries) this.topics.set(topicKey, (entries = new Map()));
    const fingerprint = canonical(payload);
    const previous = entries.get(owner);
    const meta: Meta = {
      ...payload,
      phx_ref: newPhxRef(),
      ...(previous ? { phx_ref_prev: previous.meta.phx_ref } : {}),
    };
    entries.set(owner, { key, meta, fingerprint });
    const diff: PresenceDiff = { joins: { [key]: { metas: [meta] } }, leaves: {} };
    if (previous) diff.leaves[previous.key] = { metas: [previous.meta] };
    return diff;
  }

  /** Removes `owner`'s meta; `null` when it had none. */
  untrack(topicKey: string, owner: object): PresenceDiff | null {
    const entries = this.topics.get(topicKey);
    const previous = entries?.get(owner);
    if (!entries || !previous) return null;
    entries.delete(owner);
    if (entries.size === 0) this.topics.delete(topicKey);
    return { joins: {}, leaves: { [previous.key]: { metas: [previous.meta] } } };
  }

  state(topicKey: string): PresenceState {
    const state: PresenceState = {};
    for (const { key, meta } of this.topics.get(topicKey)?.values() ?? []) {
      (state[key] ??= { metas: [] }).metas.push(meta);
    }
    return state;
  }
}
