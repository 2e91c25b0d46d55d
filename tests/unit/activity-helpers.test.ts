/**
 * The pure parts of the activity feed and the dashboard: the feed window's keyset cursor and cap,
 * @mention typing, actionUrl links, and the chart's scales.
 */
import { describe, expect, it } from 'vitest';
import { actionHref } from '../../src/components/notifications/action-href.ts';
import { compact, linePath, niceMax, scales } from '../../src/components/campaigns/chart-scale.ts';
import {
  insertMention,
  matchPeople,
  mentionedIds,
  mentionQueryAt,
} from '../../src/components/team-updates/mentions.ts';
import { ActivityWindow } from '../../src/realtime/activity-window.ts';

const ADA = { userId: 'a0000000-0000-4000-8000-000000000001', displayName: 'Ada Okafor' };
const WREN = { userId: 'a0000000-0000-4000-8000-000000000002', displayName: 'Wren Walker' };
const PEOPLE = [ADA, WREN];

const item = (id: string, timestamp: string) => ({ id, timestamp });

describe('ActivityWindow', () => {
  it('keeps each id once, newest first, ties by id', () => {
    const window = new ActivityWindow<{ id: string; timestamp: string }>();
    expect(window.add(item('b', '2026-12-01T10:00:00.000Z'))).toBe(true);
    expect(window.add(item('a', '2026-12-01T10:00:00.000Z'))).toBe(true);
    expect(window.add(item('c', '2026-12-01T10:00:01.000Z'))).toBe(true);
    expect(window.add(item('b', '2026-12-01T10:00:00.000Z'))).toBe(false);
    expect(window.snapshot().map((i) => i.id)).toEqual(['c', 'b', 'a']);
  });

  it('reads older from the exact created_at of a read item, or the last microsecond of a live one', () => {
    const window = new ActivityWindow<{ id: string; timestamp: string }>();
    window.add(item('live', '2026-12-01T10:00:00.123Z'));
    expect(window.olderCursor()).toEqual({ createdAt: '2026-12-01T10:00:00.123999Z', id: 'live' });
    window.add(item('read', '2026-12-01T09:59:59.000Z'), '2026-12-01 09:59:59.000417+00');
    expect(window.olderCursor()).toEqual({ createdAt: '2026-12-01 09:59:59.000417+00', id: 'read' });
  });

  it('lets the oldest go past its cap, which makes older items loadable; grow() keeps a loaded page', () => {
    const window = new ActivityWindow<{ id: string; timestamp: string }>(3);
    for (let n = 1; n <= 4; n++) window.add(item(`i${n}`, new Date(Date.UTC(2026, 11, 1, 10, n)).toISOString()));
    expect(window.snapshot().map((i) => i.id)).toEqual(['i4', 'i3', 'i2']);
    expect(window.hasOlder()).toBe(true);
    window.grow(2);
    window.add(item('i1', new Date(Date.UTC(2026, 11, 1, 10, 1)).toISOString()));
    window.add(item('i0', new Date(Date.UTC(2026, 11, 1, 10, 0)).toISOString()));
    expect(window.snapshot().map((i) => i.id)).toEqual(['i4', 'i3', 'i2', 'i1', 'i0']);
  });
});

describe('@mentions', () => {
  it('finds the name being typed after @, with one space, only at a word start', () => {
    expect(mentionQueryAt('Hi @Ad', 6)).toEqual({ start: 3, query: 'Ad' });
    expect(mentionQueryAt('@Ada Ok', 7)).toEqual({ start: 0, query: 'Ada Ok' });
    expect(mentionQueryAt('mail a@b', 8)).toBeNull();
    expect(mentionQueryAt('Hi @Ada Okafor and', 18)).toBeNull();
    expect(mentionQueryAt('Hi @', 4)).toEqual({ start: 3, query: '' });
  });

  it('matches names and their words, case-insensitively', () => {
    expect(matchPeople(PEOPLE, 'ok')).toEqual([ADA]);
    expect(matchPeople(PEOPLE, 'W')).toEqual([WREN]);
    expect(matchPeople(PEOPLE, '')).toEqual(PEOPLE);
    expect(matchPeople(PEOPLE, 'zed')).toEqual([]);
  });

  it('inserts the display name and stores ids only while the name stays in the text', () => {
    const inserted = insertMention('Ping @Ad please', { start: 5, query: 'Ad' }, ADA);
    expect(inserted).toEqual({ text: 'Ping @Ada Okafor please', caret: 17 });
    expect(insertMention('@W', { start: 0, query: 'W' }, WREN)).toEqual({ text: '@Wren Walker ', caret: 13 });
    expect(mentionedIds(inserted.text, [ADA, WREN, ADA])).toEqual([ADA.userId]);
    expect(mentionedIds('Ping Ada', [ADA])).toEqual([]);
  });
});

describe('actionHref', () => {
  it.each([
    ['/publishers/1', '/publishers/1'],
    ['/#update-1', '/#update-1'],
    ['https://example.com/report', 'https://example.com/report'],
    ['//evil.example', null],
    ['/\\evil.example', null],
    ['javascript:alert(1)', null],
    ['data:text/html,<p>x</p>', null],
    ['reports/weekly', null],
    [null, null],
  ])('%s → %s', (url, href) => {
    expect(actionHref(url)).toBe(href);
  });
});

describe('chart scales', () => {
  it('rounds an axis up to 1, 2 or 5 × 10^n', () => {
    expect([0, 7, 12, 180, 4100, 50_001].map(niceMax)).toEqual([1, 10, 20, 200, 5000, 100_000]);
    expect([999, 12_345, 2_500_000].map(compact)).toEqual(['999', '12k', '2.5M']);
  });

  it('maps time and value into the plot area, and one point to its middle', () => {
    const plot = { width: 100, height: 50, padding: { top: 0, right: 0, bottom: 10, left: 0 } };
    const { x, y } = scales(plot, 1000, 2000, 10);
    expect([x(1000), x(2000), y(0), y(10)]).toEqual([0, 100, 40, 0]);
    expect(linePath({ times: [1000, 2000], values: [0, 10] }, x, y)).toBe('M0.0,40.0 L100.0,0.0');
    expect(scales(plot, 1500, 1500, 10).x(1500)).toBe(50);
  });
});
