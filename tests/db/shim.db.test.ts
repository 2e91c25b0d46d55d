import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withClaims } from '../../local-stack/db/index.ts';
import { BACKENDS, createTestDatabase, type TestDatabase } from '../_db.ts';

describe.each(BACKENDS)('Supabase shim on %s', (backend) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(backend);
  });
  afterAll(() => t?.dispose());

  it('auth.uid(), auth.role() and auth.jwt() read the transaction-local claims', async () => {
    const sub = 'a0000000-0000-4000-8000-00000000abcd';
    const row = await withClaims(t.db, { role: 'authenticated', sub, email: 'x@y.test' }, async (tx) => {
      const { rows } = await tx.query<{ uid: string; role: string; email: string; who: string }>(
        `select auth.uid() as uid, auth.role() as role, auth.jwt() ->> 'email' as email, current_user as who`,
      );
      return rows[0];
    });
    expect(row).toEqual({ uid: sub, role: 'authenticated', email: 'x@y.test', who: 'authenticated' });
    const { rows } = await t.db.query<{ uid: string | null }>('select auth.uid() as uid');
    expect(rows[0]?.uid).toBeNull();
  });

  it('refuses claims that name a non-API role', async () => {
    await expect(withClaims(t.db, { role: 'postgres' }, async () => 1)).rejects.toThrow(
      'Unsupported role in JWT: postgres',
    );
  });

  it('realtime.send inserts a private broadcast row with the id injected, and notifies at commit', async () => {
    const notified: string[] = [];
    const stop = await t.db.listen('pubdev_realtime_messages', (p) => notified.push(p));
    const arrived = new Promise<void>((resolve) => {
      const poll = setInterval(() => notified.length && (clearInterval(poll), resolve()), 5);
    });
    await t.db.query(`select realtime.send('{"hello":"world"}'::jsonb, 'greet', 'room-1')`);
    await arrived;
    await stop();
    const { id } = JSON.parse(notified[0]!) as { id: string };
    const { rows } = await t.db.query<{
      topic: string;
      event: string;
      private: boolean;
      payload: { id: string; hello: string };
    }>('select topic, event, private, payload from realtime.messages where id = $1', [id]);
    expect(rows).toEqual([{ topic: 'room-1', event: 'greet', private: true, payload: { id, hello: 'world' } }]);
  });

  it('a rolled-back insert leaves no row behind', async () => {
    await t.db.transaction(
      async (tx) => {
        await tx.query(`insert into realtime.messages (topic, extension) values ('probe', 'broadcast')`);
      },
      { rollback: true },
    );
    const { rows } = await t.db.query(`select 1 from realtime.messages where topic = 'probe'`);
    expect(rows).toEqual([]);
  });
});

describe.each(BACKENDS)('realtime.messages authorization probes on %s', (backend) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(backend, { shimOnly: true });
    await t.db.exec(`
      create policy "probe read room-a" on realtime.messages for select to authenticated
        using ((select realtime.topic()) = 'room-a' and extension = 'broadcast');
      create policy "probe write room-a" on realtime.messages for insert to authenticated
        with check ((select realtime.topic()) = 'room-a' and extension = 'presence');
      create policy "probe raises" on realtime.messages for select to authenticated
        using ((select realtime.topic()) = 'room-boom' and 1 / (length(topic) - length(topic)) = 1);`);
  });
  afterAll(() => t?.dispose());
  const claims = { role: 'authenticated', sub: 'a0000000-0000-4000-8000-00000000abcd' };

  it('grants exactly what the policies allow and leaves no probe rows', async () => {
    const { checkRealtimeRead, checkRealtimeWrite } = await import('../../local-stack/db/index.ts');
    expect(await checkRealtimeRead(t.db, { claims, topic: 'room-a' }, { presence: true })).toEqual({
      broadcast: true,
      presence: false,
    });
    expect(await checkRealtimeRead(t.db, { claims, topic: 'room-b' }, { presence: true })).toEqual({
      broadcast: false,
      presence: false,
    });
    expect(await checkRealtimeWrite(t.db, { claims, topic: 'room-a' }, ['broadcast', 'presence'])).toEqual({
      broadcast: false,
      presence: true,
    });
    const { rows } = await t.db.query('select 1 from realtime.messages');
    expect(rows).toEqual([]);
  });

  it('counts a policy that raises as refusal', async () => {
    const { checkRealtimeRead } = await import('../../local-stack/db/index.ts');
    const result = await checkRealtimeRead(t.db, { claims, topic: 'room-boom' }, { presence: false });
    expect(result).toMatchObject({ broadcast: false, presence: false, policyError: 'division by zero' });
  });
});
