/**
 * The soak in short (`npm run soak` is the long one): 100 people on the product's client core in
 * four organisations, presence churn, agents reporting progress, team updates, notifications and
 * publisher saves for one minute, against the stack in a child process. Every persisted event must
 * reach every entitled client exactly once and in order, and the stack must accept every write.
 * The memory slope is printed but not judged: a minute is warm-up.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { report } from '../../scripts/soak.ts';
import { runSoak } from '../../scripts/soak/run-soak.ts';
import { BACKENDS, createTestDatabase, type TestDatabase } from '../_db.ts';

describe.each(BACKENDS)('one-minute soak on %s', (backend) => {
  let database: TestDatabase | undefined;
  afterAll(async () => database?.dispose());

  it('100 clients: nothing lost, duplicated or out of order, every write accepted', { timeout: 900_000 }, async () => {
    if (backend === 'postgres') database = await createTestDatabase('postgres');
    const result = await runSoak({
      clients: 100,
      minutes: 1,
      rate: 10,
      ...(database?.url ? { databaseUrl: database.url } : {}),
      sampleMs: 5000,
      churnShare: 0.02,
      churnEveryMs: 5000,
      catchUpIntervalMs: 30_000,
      log: () => undefined,
    });
    const failures = report(result, { minutes: 1, clients: 100, maxHeapSlope: Number.POSITIVE_INFINITY });
    expect(failures).toEqual([]);
    expect(result.verdict.expected).toBeGreaterThan(1000);
  });
});
