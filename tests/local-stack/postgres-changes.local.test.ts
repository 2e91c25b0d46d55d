import type { RealtimePostgresChangesPayload } from '@supabase/supabase-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_RUNS, ORGS } from '../../supabase/fixture.ts';
import { startLocalStack, type LocalStack } from '../../local-stack/index.ts';
import { Inbox } from '../_support/inbox.ts';
import { BACKENDS, createTestDatabase, type TestDatabase } from '../_db.ts';
import { subscribed, userClients, type UserClients } from '../_support/user-clients.ts';

type Row = Record<string, unknown>;
type Change = RealtimePostgresChangesPayload<Row>;
type SystemMessage = { extension: string; status: string; message: string; channel: string };

/** Postgres changes through the real supabase-js client (protocol reference §5, §2.4, §2.5). */
describe.each(BACKENDS)('postgres_changes via supabase-js on %s', (backend) => {
  let t: TestDatabase;
  let stack: LocalStack;
  let users: UserClients;

  beforeAll(async () => {
    t = await createTestDatabase(backend);
    // postgres_changes is shown on public channels, as Supabase's docs subscribe: opt out of the private-only default.
    stack = await startLocalStack(
      { port: 0, realtime: { joinErrorDelayMs: 0, connectErrorDelayMs: 0, privateOnly: false } },
      { db: t.db },
    );
    users = userClients(stack);
  });
  afterAll(async () => {
    await users?.closeAll();
    await stack?.stop();
    await t?.dispose();
  });

  const setProgress = (runId: string, progress: number) =>
    t.db.query('update public.agent_runs set progress = $2 where id = $1', [runId, progress]);

  it.each(['2.0.0', '1.0.0'] as const)(
    'delivers filtered changes after "Subscribed to PostgreSQL" (vsn %s)',
    async (vsn) => {
      const client = await users.client('acmeOwner', vsn);
      const changes = new Inbox<Change>();
      const system = new Inbox<SystemMessage>();
      const filter = `id=eq.${AGENT_RUNS.acmeEnrichment.id}`;
      const channel = client
        .channel(`pc-filter-${vsn}`)
        .on('postgres_changes', { event: 'UPDATE', schema: 'public', table: 'agent_runs', filter }, (p) =>
          changes.push(p),
        )
        .on('system', {}, (m: SystemMessage) => system.push(m));
      expect(await subscribed(channel)).toEqual({ status: 'SUBSCRIBED' });

      // §2.4: realtime-js stored the server's integer id on its binding (a mismatch would have errored the channel).
      const binding = channel.bindings.postgres_changes?.[0] as { id?: unknown; filter: Row } | undefined;
      expect(binding?.filter).toMatchObject({ event: 'UPDATE', schema: 'public', table: 'agent_runs', filter });
      expect(Number.isInteger(binding?.id)).toBe(true);
      // §2.5 / §5.4: the subscription is live once this arrives.
      expect(await system.first((m) => m.extension === 'postgres_changes')).toEqual({
        extension: 'postgres_changes',
        status: 'ok',
        message: 'Subscribed to PostgreSQL',
        channel: `pc-filter-${vsn}`,
      });

      // Same organisation, filtered out (a run that may still change: the seed's scoring run is completed).
      const other = await t.db.query<{ id: string }>(
        `insert into public.agent_runs (organization_id, agent_id, status) values ($1, 'pc-other', 'idle') returning id`,
        [ORGS.acme.id],
      );
      await setProgress(other.rows[0]!.id, 40);
      await setProgress(AGENT_RUNS.acmeEnrichment.id, 41);
      const change = await changes.first((c) => c.eventType === 'UPDATE');
      expect(change).toMatchObject({
        schema: 'public',
        table: 'agent_runs',
        eventType: 'UPDATE',
        new: { id: AGENT_RUNS.acmeEnrichment.id, organization_id: ORGS.acme.id, progress: 41 },
        old: { id: AGENT_RUNS.acmeEnrichment.id },
        errors: null,
      });
      expect(change.commit_timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      // Commit order: the filtered-out update came first, so had it been delivered it would be here.
      expect(changes.items).toHaveLength(1);
      await client.removeChannel(channel);
    },
  );

  it("applies RLS per subscriber: nobody sees another organisation's rows", async () => {
    const acme = await users.client('acmeOwner');
    const globex = await users.client('globexMember');
    const seen = { acme: new Inbox<Change>(), globex: new Inbox<Change>() };
    const ready = { acme: new Inbox<SystemMessage>(), globex: new Inbox<SystemMessage>() };
    const channels = (['acme', 'globex'] as const).map((who) =>
      (who === 'acme' ? acme : globex)
        .channel(`pc-rls-${who}`)
        .on('postgres_changes', { event: '*', schema: 'public', table: 'agent_runs' }, (p) => seen[who].push(p))
        .on('system', {}, (m: SystemMessage) => ready[who].push(m)),
    );
    for (const channel of channels) expect(await subscribed(channel)).toEqual({ status: 'SUBSCRIBED' });
    await ready.acme.first((m) => m.message === 'Subscribed to PostgreSQL');
    await ready.globex.first((m) => m.message === 'Subscribed to PostgreSQL');

    await setProgress(AGENT_RUNS.globexEnrichment.id, 51);
    await setProgress(AGENT_RUNS.acmeEnrichment.id, 52);
    await seen.acme.first((c) => (c.new as Row).id === AGENT_RUNS.acmeEnrichment.id);
    await seen.globex.first((c) => (c.new as Row).id === AGENT_RUNS.globexEnrichment.id);
    // Delivery follows commit order: Acme's change came after Globex's, so the Acme subscriber has
    // already had every chance to see Globex's; a later Globex change settles Acme's for Globex.
    await setProgress(AGENT_RUNS.globexEnrichment.id, 53);
    await seen.globex.first((c) => (c.new as Row).progress === 53);
    expect(seen.acme.items.map((c) => (c.new as Row).organization_id)).toEqual([ORGS.acme.id]);
    expect(seen.globex.items.map((c) => (c.new as Row).organization_id)).toEqual([ORGS.globex.id, ORGS.globex.id]);
    await acme.removeAllChannels();
    await globex.removeAllChannels();
  });

  it('reports a table outside the publication with the server’s system error (§5.1)', async () => {
    const client = await users.client('acmeOwner');
    const system = new Inbox<SystemMessage>();
    const channel = client
      .channel('pc-unpublished')
      .on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'organization_members' }, () => {})
      .on('system', {}, (m: SystemMessage) => system.push(m));
    expect(await subscribed(channel)).toEqual({ status: 'SUBSCRIBED' });
    expect(await system.first((m) => m.extension === 'postgres_changes')).toEqual({
      extension: 'postgres_changes',
      status: 'error',
      message:
        'Unable to subscribe to changes with given parameters. Please check Realtime is enabled for the given connect parameters: [event: INSERT, schema: public, table: organization_members, filters: [], select: nil]',
      channel: 'pc-unpublished',
    });
    await client.removeChannel(channel);
  });
});
