/**
 * Access tokens that expire every 3 s (PUBDEV_JWT_EXPIRY's setting): the core refreshes each one
 * before it expires and hands it to Realtime, so through several expiries no channel is closed
 * and RLS-protected broadcasts keep arriving live.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_RUNS } from '../../supabase/fixture.ts';
import type { RealtimeError } from '../../src/realtime/index.ts';
import { BACKENDS } from '../_db.ts';
import { record, startClientStack, until, type ClientStack } from './_client-stack.ts';
import { updateRow } from './_writes.ts';

const LIFETIME_S = 3;

function expiryOf(token: string): number {
  return (JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { exp: number }).exp * 1000;
}

describe.each(BACKENDS)('token refresh (%s)', (backend) => {
  let rt: ClientStack;
  beforeAll(async () => {
    rt = await startClientStack(backend, { jwtExpirySeconds: LIFETIME_S });
  });
  afterAll(() => rt.stop());

  it('refreshes through at least three expiries without a channel reaching CLOSED, and live data keeps arriving', async () => {
    // No periodic catch-up: whatever arrives, arrives live on the channel.
    const { core, supabase } = await rt.core('acmeOwner', { catchUpIntervalMs: 3_600_000 });
    const errors: RealtimeError[] = [];
    core.onError((e) => errors.push(e));
    const runs = record(core.agents);
    const notes = record(core.notifications);
    await until(core.agents, (list) => list.length > 0, 'the seeded runs');

    const tokens: string[] = [];
    const firstToken = supabase.realtime.accessTokenValue!;
    expect(expiryOf(firstToken) - Date.now()).toBeLessThanOrEqual(LIFETIME_S * 1000);
    await expect
      .poll(
        () => {
          const token = supabase.realtime.accessTokenValue;
          if (token && !tokens.includes(token)) tokens.push(token);
          // Three tokens have expired (the first, second and third) while the channels stayed up.
          return tokens.length >= 4 && Date.now() > expiryOf(tokens[2]!);
        },
        { timeout: 20_000, interval: 100 },
      )
      .toBe(true);

    expect(errors.map((e) => e.message)).toEqual([]);
    expect(supabase.getChannels().map((c) => c.state)).toEqual(supabase.getChannels().map(() => 'joined'));

    const service = rt.service();
    await updateRow(service, 'agent_runs', AGENT_RUNS.acmeEnrichment.id, {
      progress: 77,
      current_task: 'after three expiries',
    });
    await until(
      core.agents,
      (list) => list.some((r) => r.progress?.currentTask === 'after three expiries'),
      'a live update after the expiries',
    );
    expect(errors).toEqual([]);
    runs.stop();
    notes.stop();
  });
});
