/**
 * The part of the activity feed a client holds: a contiguous run of the feed, from the newest item
 * down to the oldest page loaded, de-duplicated by id and ordered newest first. "Load older" reads
 * the page before `olderCursor()`; the window never has holes, so paging through it can neither
 * skip nor repeat an item.
 *
 * RATIONALE (keyset cursor): the database orders the feed by (created_at, id) with microseconds,
 * but live messages carry milliseconds. The cursor of "Load older" must be at or after the oldest
 * item held in the database's order — then the next page is a superset of what is missing, and the
 * extra items (at most those sharing the oldest item's millisecond) are dropped by id. An item read
 * from the table keeps its exact created_at; one only seen live uses the last microsecond of its
 * millisecond, which is never earlier than its true time.
 */

export interface WindowItem {
  readonly id: string;
  /** ISO timestamp (milliseconds): the display order, ties broken by id. */
  readonly timestamp: string;
}

export interface KeysetCursor {
  readonly createdAt: string;
  readonly id: string;
}

/** Items a window keeps before it lets the oldest go (they can be loaded again). */
const DEFAULT_WINDOW_CAP = 500;

export class ActivityWindow<T extends WindowItem> {
  private readonly items = new Map<string, T>();
  /** created_at exactly as the table gave it, for items read from the table. */
  private readonly exact = new Map<string, string>();
  private sorted: readonly T[] = Object.freeze([]);
  private dirty = false;
  private newest: string | null = null;
  private older = false;
  private cap: number;

  constructor(cap: number = DEFAULT_WINDOW_CAP) {
    this.cap = cap;
  }

  /** Adds an item (once per id); `createdAt` is the table's value when the item came from a read. */
  add(item: T, createdAt?: string): boolean {
    if (createdAt !== undefined) this.exact.set(item.id, createdAt);
    if (this.items.has(item.id)) return false;
    this.items.set(item.id, item);
    if (this.newest === null || Date.parse(item.timestamp) > Date.parse(this.newest)) this.newest = item.timestamp;
    this.dirty = true;
    return true;
  }

  /** The newest timestamp ever seen: where a catch-up resumes. */
  newestTimestamp(): string | null {
    return this.newest;
  }

  /** Whether items older than the window exist (or may exist) in the table. */
  hasOlder(): boolean {
    return this.older;
  }

  setHasOlder(value: boolean): void {
    this.older = value;
  }

  /** Room for one more loaded page: paging older must not push the page just loaded out again. */
  grow(by: number): void {
    this.cap = Math.max(this.cap, this.items.size + by);
  }

  /** Drops every item: the window restarts from a fresh newest page (after a gap too large to fill). */
  clear(): void {
    this.items.clear();
    this.exact.clear();
    this.dirty = true;
  }

  /** Drops every item `drop` says (what the user may no longer see); true when any went. */
  removeWhere(drop: (item: T) => boolean): boolean {
    let any = false;
    for (const [id, item] of this.items) {
      if (!drop(item)) continue;
      this.items.delete(id);
      this.exact.delete(id);
      any = true;
    }
    if (any) this.dirty = true;
    return any;
  }

  /** Where "Load older" reads from, or null for an empty window. */
  olderCursor(): KeysetCursor | null {
    const oldest = this.snapshot().at(-1);
    if (!oldest) return null;
    return { createdAt: this.exact.get(oldest.id) ?? lastMicrosecondOf(oldest.timestamp), id: oldest.id };
  }

  /** The immutable list, newest first; the same array until something changes. */
  snapshot(): readonly T[] {
    if (!this.dirty) return this.sorted;
    const all = [...this.items.values()].sort(compareNewestFirst);
    const dropped = all.splice(this.cap);
    for (const item of dropped) {
      this.items.delete(item.id);
      this.exact.delete(item.id);
    }
    if (dropped.length > 0) this.older = true;
    this.sorted = Object.freeze(all);
    this.dirty = false;
    return this.sorted;
  }
}

function compareNewestFirst(a: WindowItem, b: WindowItem): number {
  const byTime = Date.parse(b.timestamp) - Date.parse(a.timestamp);
  if (byTime !== 0) return byTime;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

/** `…:19.123Z` → `…:19.123999Z`: the latest instant a millisecond timestamp can stand for. */
function lastMicrosecondOf(iso: string): string {
  return new Date(Date.parse(iso)).toISOString().replace(/Z$/, '999Z');
}
