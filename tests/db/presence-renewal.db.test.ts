/**
 * Presence tickets renewed in place (migration 20261215000100_presence_ticket_renewal.sql,
 * docs/capacity.md "Presence"): the holder of a live ticket extends it by two minutes without a new
 * ticket (so without a new presence track); nobody else may, nor anyone once the ticket has run out
 * or the holder may no longer be present on its topic.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orgTopic, publisherCollabTopic } from '../../src/contract/index.ts';
import { isPostgresError, type Queryable } from '../../local-stack/db/index.ts';
import { ORGS, PUBLISHERS, USERS } from '../../supabase/fixture.ts';
import { BACKENDS, createTestDatabase, type TestDatabase } from '../_db.ts';

const ACME = ORGS.acme.id;
const U = USERS;

describe.each(BACKENDS)('renew_presence_ticket on %s', (backend) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(backend);
  });
  afterAll(() => t?.dispose());

  const as = (tx: Queryable, user: keyof typeof U) =>
    tx.query(`select set_config('role', 'authenticated', true), set_config('request.jwt.claims', $1, true)`, [
      JSON.stringify({ role: 'authenticated', sub: U[user].id }),
    ]);
  const issue = (tx: Queryable, topic: string, claim = 'online') =>
    tx
      .query<{ t: { ticket: string } }>('select public.issue_presence_ticket($1, $2) as t', [topic, claim])
      .then((r) => r.rows[0]!.t.ticket);
  const renew = (tx: Queryable, ticket: string) =>
    tx
      .query<{ t: { ticket: string; expiresAt: string } }>('select public.renew_presence_ticket($1) as t', [ticket])
      .then((r) => r.rows[0]!.t);
  /** The SQLSTATE and message of `fn`, inside a savepoint so the transaction goes on. */
  const refusal = async (tx: Queryable, fn: () => Promise<unknown>): Promise<string> => {
    await tx.query('savepoint s');
    try {
      await fn();
      return 'ok';
    } catch (error) {
      if (isPostgresError(error)) return `${error.code} ${error.message}`;
      throw error;
    } finally {
      await tx.query('rollback to savepoint s');
    }
  };
  const expiresIn = async (tx: Queryable, ticket: string) => {
    await tx.query('reset role');
    const { rows } = await tx.query<{ s: number }>(
      `select extract(epoch from expires_at - now())::float8 as s from private.presence_tickets where ticket = $1`,
      [ticket],
    );
    return rows[0]?.s ?? null;
  };

  it('extends the holder’s own ticket by two minutes and keeps its id', async () => {
    const result = await t.db.transaction(
      async (tx) => {
        await as(tx, 'acmeWest');
        const ticket = await issue(tx, orgTopic(ACME));
        await tx.query('reset role');
        await tx.query(
          `update private.presence_tickets set expires_at = now() + interval '50 seconds' where ticket = $1`,
          [ticket],
        );
        await as(tx, 'acmeWest');
        const renewed = await renew(tx, ticket);
        return { ticket, renewed, left: await expiresIn(tx, ticket) };
      },
      { rollback: true },
    );
    expect(result.renewed.ticket).toBe(result.ticket);
    expect(result.left).toBeGreaterThan(119);
    expect(result.left).toBeLessThanOrEqual(120);
  });

  it('refuses someone else’s ticket, an expired one, an anonymous caller and a topic the holder may no longer join', async () => {
    const outcomes = await t.db.transaction(
      async (tx) => {
        await as(tx, 'acmeWest');
        const online = await issue(tx, orgTopic(ACME));
        const collab = await issue(tx, publisherCollabTopic(ACME, PUBLISHERS.sunriseBooks.id, 'US_West'), 'viewing');
        await as(tx, 'acmeOwner');
        const colleague = await refusal(tx, () => renew(tx, online));
        await tx.query('reset role');
        await tx.query(`set local role anon`);
        const anonymous = await refusal(tx, () => renew(tx, online));
        await tx.query('reset role');
        // Sunrise Books moves to US_East: West may no longer be present on its US_West topics.
        await tx.query(`update public.publishers set territory = 'US_East' where id = $1`, [
          PUBLISHERS.sunriseBooks.id,
        ]);
        await as(tx, 'acmeWest');
        const moved = await refusal(tx, () => renew(tx, collab));
        await tx.query('reset role');
        await tx.query(
          `update private.presence_tickets set expires_at = now() - interval '1 second' where ticket = $1`,
          [online],
        );
        await as(tx, 'acmeWest');
        const expired = await refusal(tx, () => renew(tx, online));
        return { colleague, anonymous, moved, expired };
      },
      { rollback: true },
    );
    expect(outcomes.colleague).toMatch(/^P0002 no live presence ticket .* of yours$/);
    expect(outcomes.anonymous).toMatch(/^42501/);
    expect(outcomes.moved).toMatch(/^42501 you may not be present on org:.*:territory:US_West:publisher:.*:collab$/);
    expect(outcomes.expired).toMatch(/^P0002/);
  });
});
