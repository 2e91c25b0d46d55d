/**
 * `sendMessage` (useWebSocket) posts to the realtime bridge edge function (real Deno) with the
 * user's session: an accepted team update comes back through the store like any other; a refusal
 * comes back as a value with the bridge's status and code, never as a throw.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { USERS } from '../../supabase/fixture.ts';
import { record, startClientStack, until, type ClientStack } from './_client-stack.ts';

describe('sendMessage through the realtime bridge (pglite)', () => {
  let rt: ClientStack;
  beforeAll(async () => {
    rt = await startClientStack('pglite');
  });
  afterAll(() => rt.stop());

  it('a member’s team update is accepted (202) and arrives in the team updates store once', async () => {
    const { core } = await rt.core('acmeWest');
    const updates = record(core.teamUpdates);
    const sent = await core.sendMessage({
      type: 'team_update',
      data: { updateType: 'assignment', message: 'Sent through the bridge', userId: USERS.acmeWest.id, details: {} },
      target: { territory: 'US_West' },
    });
    expect(sent).toMatchObject({
      ok: true,
      type: 'team_update',
      topic: 'org:11111111-1111-4111-8111-111111111111:territory:US_West',
    });
    const list = await until(
      core.teamUpdates,
      (l) => l.some((u) => u.message === 'Sent through the bridge'),
      'the update',
    );
    expect(list.filter((u) => u.message === 'Sent through the bridge')).toHaveLength(1);
    if (sent.ok) expect(list.find((u) => u.message === 'Sent through the bridge')!.id).toBe(sent.id);
    updates.stop();
  });

  it('a type the caller may not send is refused with the bridge’s status and code', async () => {
    const { core } = await rt.core('acmeAgent');
    const sent = await core.sendMessage({
      type: 'team_update',
      data: { updateType: 'assignment', message: 'agents may not', details: {} },
    });
    expect(sent.ok).toBe(false);
    if (!sent.ok) {
      expect(sent.error.context).toEqual({ kind: 'request', operation: 'sendMessage', status: 403 });
      expect(sent.error.message).toMatch(/^type_not_allowed: /);
    }
  });
});
