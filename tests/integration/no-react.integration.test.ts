/**
 * The core is framework-free: with `react` made unavailable (importing it throws), src/realtime
 * still loads, connects to the local stack and fills a store.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ClientStack } from './_client-stack.ts';

vi.mock('react', () => {
  throw new Error('react must not be imported by src/realtime');
});

describe('src/realtime without react (pglite)', () => {
  let rt: ClientStack;
  // The stack starts in the hook (hookTimeout), not in the test: on a busy machine a PGlite stack
  // takes most of a test's 30 s to start.
  beforeAll(async () => {
    const { startClientStack } = await import('./_client-stack.ts');
    rt = await startClientStack('pglite');
  });
  afterAll(() => rt.stop());

  it('loads, and its agent store fills from the local stack', async () => {
    // vitest wraps the factory's error in its own "error when mocking a module"; either way, react cannot load.
    await expect(import('react')).rejects.toThrow();
    const realtime = await import('../../src/realtime/index.ts');
    const supabase = await rt.signedIn('acmeOwner');
    const core = realtime.createRealtimeClient({ supabase, organizationId: '11111111-1111-4111-8111-111111111111' });
    const { until } = await import('./_client-stack.ts');
    const runs = await until(core.agents, (list) => list.length >= 2, 'the seeded runs');
    expect(runs.map((r) => r.agentId).sort()).toEqual(['enrichment-agent', 'scoring-agent']);
    await core.dispose();
  });
});
