// @vitest-environment jsdom
/**
 * useLostConnectionListener and useConnectionStatus in StrictMode while the local stack is killed
 * (SIGKILL) and started again on the same port: one `lost` after the timeout, one `restored`,
 * and the status walks connected → reconnecting → connected. Posting a team update through the
 * hook shows it in the list once.
 */
import { act, cleanup, render, screen } from '@testing-library/react';
import { StrictMode, type ReactNode } from 'react';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SupabaseClient } from '@supabase/supabase-js';
import {
  RealtimeProvider,
  useConnectionStatus,
  useLostConnectionListener,
  useTeamUpdates,
  type LostConnectionEvent,
} from '@/lib/websocket/hooks';
import { freePort, signedInClient, startStackProcess, stopStackProcess, type StackProcess } from './_stack-process.ts';

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
