/** The suites' awaitable inbox: `next()` hands out each item once, `first()` looks without taking. */
import { describe, expect, it } from 'vitest';
import { Inbox } from '../_support/inbox.ts';

describe('Inbox', () => {
  it('next() returns the next match, never one it already returned', async () => {
    const inbox = new Inbox<{ n: number }>();
    inbox.push({ n: 1 });
    expect(await inbox.next()).toEqual({ n: 1 });
    const second = inbox.next();
    inbox.push({ n: 2 });
    expect(await second).toEqual({ n: 2 });
  });

  it('next(match) skips non-matching items but leaves them for a later next()', async () => {
    const inbox = new Inbox<string>();
    inbox.push('a');
    inbox.push('b');
    expect(await inbox.next((s) => s === 'b')).toBe('b');
    expect(await inbox.next()).toBe('a');
  });

  it('two waiters for the same match get two different items', async () => {
    const inbox = new Inbox<number>();
    const one = inbox.next();
    const two = inbox.next();
    inbox.push(1);
    inbox.push(2);
    expect([await one, await two]).toEqual([1, 2]);
  });

  it('first() looks at everything received without using it up', async () => {
    const inbox = new Inbox<number>();
    inbox.push(7);
    expect(await inbox.first((n) => n === 7)).toBe(7);
    expect(await inbox.next()).toBe(7);
    expect(await inbox.count(1)).toEqual([7]);
  });
});
