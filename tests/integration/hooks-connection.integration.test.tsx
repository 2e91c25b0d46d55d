// @vitest-environment jsdom
/**
 * useLostConnectionListener and useConnectionStatus in StrictMode while the local stack is killed
 * (SIGKILL) and started again on the same port: one `lost` after the timeout, one `restored`,
 * and the status walks connected → reconnecting → connected. Posting a team update through the
 * hook shows it in the list once. A page with only the status never claims a connection that is
 * not being made, and the dashboard's indicator says "Degraded", with the server's reason, while
 * channels are refused on a connected socket.
 */
import { act, cleanup, render, screen } from '@testing-library/react';
import { StrictMode, type ReactNode } from 'react';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import { LiveConnectionIndicator } from '../../src/components/connection/live-connection-indicator.tsx';
import { ToastProvider } from '../../src/components/shell/toast-provider.tsx';
import {
  RealtimeProvider,
  useConnectionStatus,
  useLostConnectionListener,
  useTeamUpdates,
  type LostConnectionEvent,
} from '@/lib/websocket/hooks';
import {
  ANON_KEY,
  freePort,
  signedInClient,
  startStackProcess,
  stopStackProcess,
  type StackProcess,
} from './_stack-process.ts';

const ACME = '11111111-1111-4111-8111-111111111111';

function app(supabase: SupabaseClient, children: ReactNode) {
  return (
    <StrictMode>
      <RealtimeProvider
        supabase={supabase}
        organizationId={ACME}
        options={{ channelGraceMs: 50, lostConnectionTimeoutMs: 300 }}
      >
        {children}
      </RealtimeProvider>
    </StrictMode>
  );
}

describe('connection hooks in StrictMode (pglite)', () => {
  let stack: StackProcess;
  let port: number;
  beforeAll(async () => {
    port = await freePort();
    stack = await startStackProcess({ PUBDEV_PORT: String(port) });
  });
  afterEach(() => cleanup());
  afterAll(() => stopStackProcess(stack));

  it('posts a team update through useTeamUpdates and shows it once', async () => {
    const west = await signedInClient(stack.url, 'acmeWest');
    let post: ReturnType<typeof useTeamUpdates>['postUpdate'] | undefined;
    function Feed() {
      const { updates, postUpdate } = useTeamUpdates({ territory: 'US_West' });
      post = postUpdate;
      return (
        <ul>
          {updates.map((u) => (
            <li key={u.id}>{u.message}</li>
          ))}
        </ul>
      );
    }
    render(app(west, <Feed />));
    await screen.findAllByRole('listitem', undefined, { timeout: 8000 });
    const result = await act(() => post!({ message: 'Posted from the hook', territory: 'US_West' }));
    expect(result).toEqual({ ok: true });
    expect(await screen.findAllByText('Posted from the hook', undefined, { timeout: 8000 })).toHaveLength(1);
  });

  it('a page with only useConnectionStatus: connected for a member (their own topic is watched), idle with nothing to join', async () => {
    function StatusOnly() {
      const { status } = useConnectionStatus();
      return <p>{`status ${status}`}</p>;
    }
    // A signed-in member: the provider watches the user's own topic (changes of their access), so
    // a socket is opened and the status says so.
    const owner = await signedInClient(stack.url, 'acmeOwner');
    const view = render(app(owner, <StatusOnly />));
    await screen.findByText('status connected', undefined, { timeout: 8000 });
    view.unmount();
    // No session: nothing is joined, no socket is opened, and the status says that instead of
    // "connecting" for as long as the page is open.
    const anonymous = createClient(stack.url, ANON_KEY, {
      auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
    });
    const seen: string[] = [];
    function Recorded() {
      const { status } = useConnectionStatus();
      seen.push(status);
      return <p>{`status ${status}`}</p>;
    }
    render(app(anonymous, <Recorded />));
    await screen.findByText('status idle', undefined, { timeout: 8000 });
    // The sampler runs every 250 ms: a second later it still says idle, having never claimed a connection.
    await act(() => new Promise((resolve) => setTimeout(resolve, 1000)));
    expect(screen.getByText('status idle')).toBeTruthy();
    expect(anonymous.realtime.connectionState()).toBe('closed');
    expect(seen.filter((status) => status !== 'initial' && status !== 'idle')).toEqual([]);
  });

  it('reports lost once after the timeout and restored once when the stack is back on the same port', async () => {
    const owner = await signedInClient(stack.url, 'acmeOwner');
    const events: LostConnectionEvent[] = [];
    function Banner() {
      const { status } = useConnectionStatus();
      useLostConnectionListener((event) => events.push(event));
      useTeamUpdates();
      return <p>{status}</p>;
    }
    render(app(owner, <Banner />));
    await screen.findByText('connected', undefined, { timeout: 8000 });

    await stopStackProcess(stack, true);
    await screen.findByText('reconnecting', undefined, { timeout: 8000 });
    await expect.poll(() => events, { timeout: 5000 }).toEqual(['lost']);

    stack = await startStackProcess({ PUBDEV_PORT: String(port) });
    await screen.findByText('connected', undefined, { timeout: 20_000 });
    expect(events).toEqual(['lost', 'restored']);
    // The test restarts the stack process, which alone can take 20 s on a busy machine.
  }, 60_000);
});

describe('the connection indicator while channels are refused (pglite)', () => {
  let stack: StackProcess;
  beforeAll(async () => {
    // Two channels per socket: the owner's dashboard hooks want four (their own topic, the
    // organisation's and two territories'), so two are refused on a connected socket.
    stack = await startStackProcess({ PUBDEV_REALTIME_MAX_CHANNELS_PER_CLIENT: '2' });
  });
  afterEach(() => cleanup());
  afterAll(() => stopStackProcess(stack));

  it('says "Degraded" with the server’s reason instead of "Connected"', async () => {
    const owner = await signedInClient(stack.url, 'acmeOwner');
    function Feed() {
      const { updates } = useTeamUpdates();
      return <p>{`${updates.length} updates`}</p>;
    }
    render(
      app(
        owner,
        <ToastProvider>
          <LiveConnectionIndicator />
          <Feed />
        </ToastProvider>,
      ),
    );
    const indicator = await screen.findByRole('status', { name: 'Connection' });
    await expect
      .poll(() => indicator.textContent, { timeout: 10_000 })
      .toMatch(/^Degraded · [1-9]\d* channels? not receiving: ChannelRateLimitReached: Too many channels$/);
    expect(indicator.textContent).not.toMatch(/Connected/);
  });
});
