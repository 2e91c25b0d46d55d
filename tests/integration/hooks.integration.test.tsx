// @vitest-environment jsdom
/**
 * The React hooks inside <StrictMode> against the local stack: the seed's components render live
 * data through `@/lib/websocket/hooks`, and a burst of agent updates costs renders per frame, not
 * per message.
 */
import { act, cleanup, render, screen } from '@testing-library/react';
import { Profiler, StrictMode, type ReactNode } from 'react';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SupabaseClient } from '@supabase/supabase-js';
import {
  RealtimeProvider,
  useAgentStatus,
  useConnectionStatus,
  useNotifications,
  usePublisher,
  usePublishers,
  useTeamUpdates,
  useUserSnapshots,
  useWebSocket,
  type RealtimeMessage,
} from '@/lib/websocket/hooks';
import { orgTopic } from '../../src/contract/index.ts';
import { sharedRealtimeClient } from '../../src/realtime/index.ts';
import {
  serviceClient,
  signedInClient,
  startStackProcess,
  stopStackProcess,
  SERVICE_ROLE_KEY,
  type StackProcess,
} from './_stack-process.ts';
import { getWebSocketServer } from '@/lib/websocket/server';
import { AgentBoard, AgentMonitor, TeamActivity, TerritoryFeed } from './_seed-components.tsx';

function app(supabase: SupabaseClient, children: ReactNode) {
  return (
    <StrictMode>
      <RealtimeProvider supabase={supabase} organizationId={ACME} options={{ channelGraceMs: 50 }}>
        {children}
      </RealtimeProvider>
    </StrictMode>
  );
}

const ACME = '11111111-1111-4111-8111-111111111111';
const OWNER_ID = 'a0000000-0000-4000-8000-000000000001';
const SUNRISE = 'c0000000-0000-4000-8000-000000000001';

describe('React hooks in StrictMode (pglite)', () => {
  let stack: StackProcess;
  beforeAll(async () => {
    stack = await startStackProcess({ PUBDEV_REALTIME_MAX_EVENTS_PER_SECOND: '100000' });
  });
  afterEach(() => cleanup());
  afterAll(() => stopStackProcess(stack));

  it('the seed’s components render live presence, activity and agent runs through @/lib/websocket/hooks', async () => {
    const owner = await signedInClient(stack.url, 'acmeOwner');
    const agent = await signedInClient(stack.url, 'acmeAgent');
    const messages: RealtimeMessage[] = [];
    render(app(owner, <TeamActivity action="reviewing Sunrise Books" onMessage={(m) => messages.push(m)} />));
    await screen.findByText(`${OWNER_ID}: reviewing Sunrise Books`, undefined, { timeout: 8000 });
    await expect.poll(() => document.querySelector('[data-connected="true"]') !== null, { timeout: 8000 }).toBe(true);
    render(app(agent, <AgentBoard agentId="seed-agent" />));
    // StrictMode runs the component's effect twice: still one run for the agent.
    expect(await screen.findAllByText('seed-agent: processing 0%', undefined, { timeout: 8000 })).toHaveLength(1);
    // The owner's onMessage saw the agent's run as a validated contract message.
    await expect
      .poll(() => messages.some((m) => m.type === 'agent_status' && m.data.agentId === 'seed-agent'), { timeout: 8000 })
      .toBe(true);
  });

  it('the seed’s AgentMonitor example: one entry per agent, keyed by agentId, with no React warning', async () => {
    const agent = await signedInClient(stack.url, 'acmeAgent');
    // An agent with a finished run and a current one: two runs, one agent.
    const { error } = await agent.from('agent_runs').insert([
      {
        organization_id: ACME,
        agent_id: 'twice-agent',
        status: 'completed',
        current_task: 'First batch',
        progress: 100,
      },
      {
        organization_id: ACME,
        agent_id: 'twice-agent',
        status: 'processing',
        current_task: 'Second batch',
        progress: 30,
      },
    ]);
    expect(error).toBeNull();
    const complaints: string[] = [];
    const original = { error: console.error, warn: console.warn };
    console.error = (...args: unknown[]) => complaints.push(args.map(String).join(' '));
    console.warn = (...args: unknown[]) => complaints.push(args.map(String).join(' '));
    try {
      function Runs() {
        const { runs } = useAgentStatus();
        return <p>{`runs of twice-agent: ${runs.filter((r) => r.agentId === 'twice-agent').length}`}</p>;
      }
      render(
        app(
          agent,
          <>
            <AgentBoard agentId="twice-agent" />
            <Runs />
          </>,
        ),
      );
      // The runs stay available; agentStatuses has the agent once, as its current run.
      await screen.findByText('runs of twice-agent: 2', undefined, { timeout: 8000 });
      expect(await screen.findAllByText(/^twice-agent: /)).toHaveLength(1);
      expect(screen.getByText(/^twice-agent: /).textContent).toMatch(/^twice-agent: processing/);
      expect(screen.getByText('enrichment-agent: processing 40%')).toBeTruthy();
    } finally {
      console.error = original.error;
      console.warn = original.warn;
    }
    expect(complaints).toEqual([]);
  });

  it('the seed’s five usage examples together in StrictMode: live data, and no console error or warning', async () => {
    const owner = await signedInClient(stack.url, 'acmeOwner');
    const complaints: string[] = [];
    const original = { error: console.error, warn: console.warn };
    console.error = (...args: unknown[]) => complaints.push(args.map(String).join(' '));
    console.warn = (...args: unknown[]) => complaints.push(args.map(String).join(' '));
    const messages: RealtimeMessage[] = [];
    try {
      render(
        app(
          owner,
          <>
            {/* useWebSocket and useUserSnapshots with updateActivity */}
            <TeamActivity action="reviewing Pacific Press" onMessage={(m) => messages.push(m)} />
            {/* useAgentStatus with updateAgentStatus(agentId, 'processing', { progress: 0, task }) */}
            <AgentBoard agentId="example-agent" />
            {/* AgentMonitor: agentStatuses.map((agent) => <div key={agent.agentId}>…) */}
            <AgentMonitor />
            {/* useTeamUpdates({ territory }) with useConnectionStatus */}
            <TerritoryFeed territory="US_West" />
          </>,
        ),
      );
      // The server example, as the seed writes it: no await.
      const wsServer = getWebSocketServer({ SUPABASE_URL: stack.url, SUPABASE_SERVICE_ROLE_KEY: SERVICE_ROLE_KEY });
      wsServer.broadcastToOrganization(ACME, {
        type: 'team_update',
        data: { message: 'New publisher assigned', updateType: 'assignment' },
        timestamp: new Date().toISOString(),
      });
      await screen.findByText(`${OWNER_ID}: reviewing Pacific Press`, undefined, { timeout: 8000 });
      // The agent's row in AgentBoard and in AgentMonitor: one each, though StrictMode ran the effect twice.
      expect(await screen.findAllByText('example-agent: processing 0%', undefined, { timeout: 8000 })).toHaveLength(2);
      // An org-wide update belongs in a territory's feed (the hook and the dashboard agree).
      await screen.findByText('org-wide: New publisher assigned', undefined, { timeout: 8000 });
      await expect
        .poll(() => messages.some((m) => m.type === 'team_update' && m.data.message === 'New publisher assigned'), {
          timeout: 8000,
        })
        .toBe(true);
    } finally {
      console.error = original.error;
      console.warn = original.warn;
    }
    expect(complaints).toEqual([]);
  });

  it('50 agents × 20 updates/s: every update absorbed, renders bounded by frames (≤ 60/s)', async () => {
    const owner = await signedInClient(stack.url, 'acmeOwner');
    const agents = 50;
    const rounds = 40; // 2 s at 20 updates/s per agent
    const runIds = Array.from({ length: agents }, (_, i) => `e0000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
    // Only the burst's runs count: another case's run may have any id, one starting with 'e' too.
    const burst = new Set(runIds);
    let commits = 0;
    function Board() {
      const { agentStatuses } = useAgentStatus();
      const { status } = useConnectionStatus();
      const total = agentStatuses.reduce((sum, run) => sum + (burst.has(run.runId) ? run.seq : 0), 0);
      return <p data-testid="board">{`${status} ${total}`}</p>;
    }
    render(
      app(
        owner,
        <Profiler id="board" onRender={() => void commits++}>
          <Board />
        </Profiler>,
      ),
    );
    await screen.findByText(/^connected /, undefined, { timeout: 8000 });

    commits = 0;
    const started = performance.now();
    for (let round = 1; round <= rounds; round++) {
      const messages = runIds.map((runId, i) => ({
        topic: orgTopic(ACME),
        event: 'agent_status',
        private: true,
        payload: {
          id: `${runId}:${round}`,
          type: 'agent_status',
          seq: round,
          timestamp: new Date().toISOString(),
          data: {
            agentId: `burst-${i}`,
            runId,
            status: 'processing',
            progress: { progress: (round / rounds) * 100, currentTask: `round ${round}` },
          },
        },
      }));
      const response = await fetch(`${stack.url}/realtime/v1/api/broadcast`, {
        method: 'POST',
        headers: {
          apikey: SERVICE_ROLE_KEY,
          authorization: `Bearer ${SERVICE_ROLE_KEY}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ messages }),
      });
      expect(response.status).toBe(202);
      const next = started + round * 50;
      await act(() => new Promise((resolve) => setTimeout(resolve, Math.max(0, next - performance.now()))));
    }
    await screen.findByText(`connected ${agents * rounds}`, undefined, { timeout: 20_000 });
    const seconds = (performance.now() - started) / 1000;
    expect(commits / seconds).toBeLessThanOrEqual(60);
    expect(commits).toBeLessThan((agents * rounds) / 10); // per frame, not per message
  });

  it('the channel count stays flat across 100 StrictMode mount/unmount cycles, and drops to zero after the last', async () => {
    const owner = await signedInClient(stack.url, 'acmeOwner');
    function Everything() {
      const { status } = useConnectionStatus();
      useWebSocket({ onMessage: () => undefined });
      const { userSnapshots } = useUserSnapshots();
      const { agentStatuses } = useAgentStatus();
      const { updates } = useTeamUpdates({ territory: 'US_West' });
      const { notifications } = useNotifications();
      const { publishers } = usePublishers();
      const { publisher, viewers } = usePublisher(SUNRISE);
      return (
        <p>
          {[
            status,
            userSnapshots.length,
            agentStatuses.length,
            updates.length,
            notifications.length,
            publishers.length,
            publisher?.name,
            viewers.length,
          ].join(' ')}
        </p>
      );
    }
    let most = 0;
    const errors: string[] = [];
    sharedRealtimeClient({ supabase: owner, organizationId: ACME }).onError((e) => errors.push(e.message));
    for (let cycle = 0; cycle < 100; cycle++) {
      const view = render(app(owner, <Everything />));
      await act(() => Promise.resolve());
      most = Math.max(most, owner.getChannels().length);
      view.unmount();
    }
    const view = render(app(owner, <Everything />));
    await screen.findByText(/^connected \d+ \d+ \d+ \d+ 4 Sunrise Books 1$/, undefined, { timeout: 8000 });
    // org, user, two territories, the record and collab topics of one publisher (activity is on the
    // org and territory topics: the activity topic is no longer joined).
    const joined = () =>
      owner
        .getChannels()
        .filter((c) => c.state === 'joined')
        .map((c) => c.topic);
    await expect.poll(() => joined().length, { timeout: 8000 }).toBe(6);
    const topics = owner.getChannels().map((c) => c.topic);
    expect(new Set(topics).size).toBe(topics.length);
    expect(topics).toHaveLength(6);
    expect(most).toBeLessThanOrEqual(6);
    // Neither Realtime's presence limit (5 tracks / 30 s / channel) nor its channel limit was hit.
    expect(errors.filter((message) => /rate limit|too many/i.test(message))).toEqual([]);
    view.unmount();
    await expect.poll(() => owner.getChannels().length, { timeout: 8000 }).toBe(0);
  });

  it('the browser going offline shows disconnected at once, and coming back online connects again', async () => {
    const owner = await signedInClient(stack.url, 'acmeOwner');
    function Status() {
      const { status } = useConnectionStatus();
      const { agentStatuses } = useAgentStatus();
      return <p>{`${status} ${agentStatuses.length}`}</p>;
    }
    render(app(owner, <Status />));
    await screen.findByText(/^connected [1-9]\d*$/, undefined, { timeout: 8000 });
    act(() => void window.dispatchEvent(new Event('offline')));
    await screen.findByText(/^disconnected /, undefined, { timeout: 2000 });
    act(() => void window.dispatchEvent(new Event('online')));
    await screen.findByText(/^connected /, undefined, { timeout: 8000 });
  });

  it('useNotifications fires onNotification once per new notification in StrictMode, never for history', async () => {
    const owner = await signedInClient(stack.url, 'acmeOwner');
    const toasts: string[] = [];
    function Inbox() {
      const { notifications, unreadCount } = useNotifications({ onNotification: (n) => toasts.push(n.message) });
      return <p>{`${notifications.length} ${unreadCount} ${notifications[0]?.message ?? ''}`}</p>;
    }
    render(app(owner, <Inbox />));
    await screen.findByText(/^[1-9]\d* \d+ /, undefined, { timeout: 8000 });
    const { error } = await serviceClient(stack.url)
      .from('notifications')
      .insert({ organization_id: ACME, level: 'success', message: 'Toast me once', persistent: false });
    expect(error).toBeNull();
    await screen.findByText(/ Toast me once$/, undefined, { timeout: 8000 });
    expect(toasts).toEqual(['Toast me once']);
  });
});
