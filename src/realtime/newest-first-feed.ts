/**
 * A bounded, de-duplicated feed ordered newest first, for team updates and notifications.
 * Items are keyed by message id (the table row's uuid, identical live and backfilled), so the same
 * item arriving by broadcast and by catch-up is kept once.
 */

export interface FeedItem {
  readonly id: string;
  /** ISO timestamp; the feed's order (ties broken by id, so every client shows the same order). */
  readonly timestamp: string;
}

/**
 * Feed items kept per store: a day of a busy team's updates; older ones are for the table view. A
 * catch-up reads at most this many rows too: more would be dropped from the feed at once.
 */
export const DEFAULT_FEED_CAP = 500;

export class NewestFirstFeed<T extends FeedItem> {
  private readonly items = new Map<string, T>();
  private sorted: readonly T[] = Object.freeze([]);
  private dirty = false;

  constructor(private readonly cap: number = DEFAULT_FEED_CAP) {}

  has(id: string): boolean {
    return this.items.has(id);
  }

  /** Adds an item; false when its id is already there (the first copy wins: live and backfilled copies are the same). */
  upsert(item: T): boolean {
    if (this.items.has(item.id)) return false;
    this.items.set(item.id, item);
    this.dirty = true;
    return true;
  }

  update(id: string, change: (item: T) => T): void {
    const item = this.items.get(id);
    if (!item) return;
    this.items.set(id, change(item));
    this.dirty = true;
  }

  /** Drops every item `drop` says (what the user may no longer see); true when any went. */
  removeWhere(drop: (item: T) => boolean): boolean {
    let any = false;
    for (const [id, item] of this.items) {
      if (!drop(item)) continue;
      this.items.delete(id);
      any = true;
    }
    if (any) this.dirty = true;
    return any;
  }

  /** The immutable list, newest first, capped; the same array until something changes. */
  snapshot(): readonly T[] {
    if (!this.dirty) return this.sorted;
    const all = [...this.items.values()].sort(compareNewestFirst);
    for (const dropped of all.splice(this.cap)) this.items.delete(dropped.id);
    this.sorted = Object.freeze(all);
    this.dirty = false;
    return this.sorted;
  }
}

function compareNewestFirst(a: FeedItem, b: FeedItem): number {
  const byTime = Date.parse(b.timestamp) - Date.parse(a.timestamp);
  if (byTime !== 0) return byTime;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}
