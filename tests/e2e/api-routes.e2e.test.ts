/**
 * The route handlers against a running stack and the production build: GET /api/health,
 * GET /api/websocket (connection statistics for an owner's session) and POST /api/websocket
 * (a broadcast forwarded to the bridge with the caller's session).
 */
import { describe, expect, it } from 'vitest';
import { ORGS, USERS } from '../../supabase/fixture.ts';
import { accessTokenOf } from './_bridge.ts';
import { connected, useE2eSuite } from './_suite.ts';

const suite = useE2eSuite();

interface HealthBody {
  status: string;
  down: string[];
  checks: Record<string, { ok: boolean; latencyMs: number; error?: string }>;
  quota: { limited: boolean; eventsPerSecond: number | null; limit: number | null } | null;
}

describe('GET /api/health', () => {
  it('answers 200 with every part up and its latency, without a session', async () => {
    const response = await fetch(`${suite.dashboard.url}/api/health`);
    const body = (await response.json()) as HealthBody;
    expect(response.status).toBe(200);
    expect(body.status).toBe('ok');
    expect(body.down).toEqual([]);
    // Realtime's own report of the messages/s quota, through the bridge (docs/capacity.md).
    expect(body.quota).toEqual({ limited: false, eventsPerSecond: expect.any(Number), limit: 100 });
    expect(Object.keys(body.checks).sort()).toEqual(['app', 'bridge', 'database', 'realtime', 'rest', 'supabase']);
    for (const check of Object.values(body.checks)) {
      expect(check.ok).toBe(true);
      expect(check.latencyMs).toBeGreaterThanOrEqual(0);
    }
  });
});

describe('GET /api/websocket', () => {
  it('refuses a request without a session with 401', async () => {
    const response = await fetch(`${suite.dashboard.url}/api/websocket`);
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({
      error: {
        code: 'unauthorized',
        message: 'Sign in first (session cookie or Authorization: Bearer <access token>): this route acts as you',
      },
    });
    const forged = await fetch(`${suite.dashboard.url}/api/websocket`, {
      headers: { authorization: 'Bearer not-a-token' },
    });
    expect(forged.status).toBe(401);
  });

  it("answers an owner's access token given as a bearer (monitoring with curl)", async () => {
    const token = await accessTokenOf(suite.stack.url, USERS.acmeOwner.email);
    const response = await fetch(`${suite.dashboard.url}/api/websocket`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { organizationId: string }).organizationId).toBe(ORGS.acme.id);
  });

  it("gives the owner their organisation's connection statistics, counting the people online", async () => {
    const west = await suite.open(USERS.acmeWest.email);
    const owner = await suite.open(USERS.acmeOwner.email);
    await Promise.all([connected(west), connected(owner)]);
    await owner
      .getByRole('list', { name: 'Online now' })
      .getByRole('listitem')
      .filter({ hasText: USERS.acmeWest.displayName })
      .waitFor();
    const response = await owner.request.get('/api/websocket');
    expect(response.status()).toBe(200);
    const stats = (await response.json()) as {
      organizationId: string;
      users: number;
      connections: number;
      perUser: Array<{ userId: string }>;
    };
    expect(stats.organizationId).toBe(ORGS.acme.id);
    expect(stats.perUser.map((u) => u.userId)).toEqual(expect.arrayContaining([USERS.acmeOwner.id, USERS.acmeWest.id]));
    expect(stats.users).toBeGreaterThanOrEqual(2);
  });

  it("passes the bridge's refusal through for a member (403) and for another organisation", async () => {
    const west = await suite.open(USERS.acmeWest.email);
    const member = await west.request.get('/api/websocket');
    expect(member.status()).toBe(403);
    expect(((await member.json()) as { error: { message: string } }).error.message).not.toBe('');
    const owner = await suite.open(USERS.acmeOwner.email);
    const other = await owner.request.get(`/api/websocket?organizationId=${ORGS.globex.id}`);
    expect(other.status()).toBe(403);
    const invalid = await owner.request.get('/api/websocket?organizationId=acme');
    expect(invalid.status()).toBe(422);
    expect(await invalid.json()).toEqual({
      error: { code: 'invalid_request', message: 'organizationId must be a lowercase UUID' },
    });
  });
});

describe('POST /api/websocket', () => {
  it("forwards a member's team update to the bridge, and the owner's dashboard shows it", async () => {
    const owner = await suite.open(USERS.acmeOwner.email);
    const west = await suite.open(USERS.acmeWest.email);
    await connected(owner);
    const message = `Posted through /api/websocket (${Date.now()})`;
    const response = await west.request.post('/api/websocket', {
      data: {
        target: { territory: 'US_West' },
        message: {
          type: 'team_update',
          data: { updateType: 'assignment', message, userId: USERS.acmeWest.id, territory: 'US_West', details: {} },
        },
      },
    });
    expect(response.status()).toBe(200);
    const delivered = (await response.json()) as { id: string; type: string; topic: string };
    expect(delivered.type).toBe('team_update');
    expect(delivered.topic).toBe(`org:${ORGS.acme.id}:territory:US_West`);
    await owner.getByRole('list', { name: 'Team activity' }).getByText(message).waitFor();
  });

  it('answers 422 naming the field, 401 without a session, and the bridge refusal for what a member may not send', async () => {
    const west = await suite.open(USERS.acmeWest.email);
    const invalid = await west.request.post('/api/websocket', { data: { message: { type: 'gossip', data: {} } } });
    expect(invalid.status()).toBe(422);
    expect(((await invalid.json()) as { error: { message: string } }).error.message).toMatch(/^message\.type: /);

    const anonymous = await fetch(`${suite.dashboard.url}/api/websocket`, {
      method: 'POST',
      body: '{}',
      headers: { 'content-type': 'application/json' },
    });
    expect(anonymous.status).toBe(401);

    const agentStatus = await west.request.post('/api/websocket', {
      data: { message: { type: 'agent_status', data: { agentId: 'forged-agent', status: 'processing' } } },
    });
    expect(agentStatus.status()).toBe(403);
    const badData = await west.request.post('/api/websocket', {
      data: { message: { type: 'team_update', data: { updateType: 'assignment', message: 42, details: {} } } },
    });
    expect(badData.status()).toBe(422);
    expect(((await badData.json()) as { error: { message: string } }).error.message).toContain('message.data.message');
  });
});

describe('GET /api/health with the stack down', () => {
  it('answers 503 naming Supabase and the bridge as down', async () => {
    await suite.stack.stop();
    const response = await fetch(`${suite.dashboard.url}/api/health`);
    expect(response.status).toBe(503);
    const body = (await response.json()) as HealthBody;
    expect(body.status).toBe('down');
    expect(body.down).toEqual(expect.arrayContaining(['supabase', 'bridge', 'database', 'rest', 'realtime']));
    expect(body.down).not.toContain('app');
    expect(body.checks.supabase!.error).toBeTruthy();
  });
});
