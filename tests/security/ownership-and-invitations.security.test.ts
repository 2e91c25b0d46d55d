/**
 * Ownership and invitations from the attacker's side, through supabase-js against the local
 * stack: ownership cannot be given to a non-member or to a member who cannot see the publisher,
 * nor taken by a member who does not own it; an invitation cannot be used by anyone but its
 * address, cannot be replayed, and cannot be made by someone who may not grant its role.
 */
import { randomUUID } from 'node:crypto';
import type { SupabaseClient } from '@supabase/supabase-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ORGS, PUBLISHERS, USERS } from '../../supabase/fixture.ts';
import { BACKENDS } from '../_db.ts';
import { startAuthStack, type AuthStack } from '../_support/auth-stack.ts';
import { signUp } from './_signed-up.ts';

const ACME = ORGS.acme.id;
const { harborHouse: HARBOR, pacificPress: PACIFIC, sunriseBooks: SUNRISE } = PUBLISHERS;

describe.each(BACKENDS)('ownership and invitations, attacked (%s)', (backend) => {
  let stack: AuthStack;
  let owner: SupabaseClient;
  let west: SupabaseClient;
  let service: SupabaseClient;
  beforeAll(async () => {
    stack = await startAuthStack(backend, { auth: { rateLimitSignUps: 10_000 } });
    owner = await stack.signedIn('acmeOwner');
    west = await stack.signedIn('acmeWest');
    service = stack.client(stack.stack.config.serviceRoleKey);
  });
  afterAll(() => stack?.stop());

  const ownerOf = async (id: string) =>
    (await service.from('publishers').select('owner_id').eq('id', id).single()).data?.owner_id as string | null;

  describe('ownership', () => {
    it.each([
      ['to a member of another organisation', () => owner, HARBOR.id, USERS.globexMember.id, 400, '23514'],
      ['to a member who may not see its territory', () => owner, HARBOR.id, USERS.acmeWest.id, 400, '23514'],
      ['to an agent account', () => owner, HARBOR.id, USERS.acmeAgent.id, 400, '23514'],
      ['by a member who does not own it, to herself', () => west, PACIFIC.id, USERS.acmeWest.id, 403, '42501'],
    ])('cannot be given %s', async (_name, who, id, to, status, code) => {
      const before = await ownerOf(id);
      const plain = await who().from('publishers').update({ owner_id: to }).eq('id', id).select('id');
      expect(plain).toMatchObject({ status, error: { code } });
      // Nor through save_publisher: the rule is the table's, whatever path writes it.
      const saved = await who().rpc('save_publisher', { publisher_id: id, base_version: 1, changes: { owner_id: to } });
      expect(saved.error).toMatchObject({ code });
      expect(await ownerOf(id)).toBe(before);
    });

    it('is handed on by its owner to someone who may own it, who is told by name', async () => {
      const handed = await west
        .from('publishers')
        .update({ owner_id: USERS.acmeOwner.id })
        .eq('id', SUNRISE.id)
        .select('owner_id');
      expect(handed).toMatchObject({ status: 200, error: null, data: [{ owner_id: USERS.acmeOwner.id }] });
      const { data } = await owner
        .from('my_notifications')
        .select('message, action_url')
        .eq('message', 'Wren Walker made you the owner of Sunrise Books');
      expect(data).toEqual([
        { message: 'Wren Walker made you the owner of Sunrise Books', action_url: `/publishers/${SUNRISE.id}` },
      ]);
    });
  });

  describe('invitations', () => {
    const invite = (client: SupabaseClient, email: string, role = 'member', territories = ['US_West']) =>
      client.rpc('create_invitation', { organization_id: ACME, email, role, territories });

    it('cannot be made by someone who may not grant the role', async () => {
      expect((await invite(west, 'x@acme.test')).error).toMatchObject({ code: '42501' });
      expect((await invite(stack.client(), 'x@acme.test')).error).toMatchObject({ code: '42501' });
      // Anonymous callers cannot even read the table; a member reads none of its rows.
      expect((await stack.client().from('invitations').select('id')).error).toMatchObject({ code: '42501' });
      expect((await west.from('invitations').select('id')).data).toEqual([]);
    });

    it('is used once, only by its address, never replayed', async () => {
      const email = `new-${randomUUID()}@acme.test`;
      const made = await invite(owner, email);
      expect(made.error).toBeNull();
      const { token } = made.data as { token: string };

      // Someone else, signed in, with the link: refused, and nothing changes.
      const stranger = await signUp(stack, `stranger-${randomUUID()}@acme.test`, 'Stan Stranger');
      expect((await stranger.client.rpc('accept_invitation', { token })).error).toMatchObject({
        code: '42501',
        message: 'this invitation is for another email address',
      });
      const globex = await stack.signedIn('globexMember');
      expect((await globex.rpc('accept_invitation', { token })).error).toMatchObject({ code: '42501' });
      expect((await stack.client().rpc('accept_invitation', { token })).error).toMatchObject({ code: '42501' });

      // Its address accepts once …
      const invitee = await signUp(stack, email, 'Nia Ndiaye');
      const accepted = await invitee.client.rpc('accept_invitation', { token });
      expect(accepted).toMatchObject({
        error: null,
        data: { organizationId: ACME, role: 'member', territories: ['US_West'] },
      });
      // … and a replay, by anyone, is refused.
      for (const client of [invitee.client, stranger.client]) {
        const replay = await client.rpc('accept_invitation', { token });
        expect(replay.error?.code).toMatch(/^(PT409|42501)$/);
      }
      expect((await invitee.client.rpc('accept_invitation', { token })).error).toMatchObject({
        code: 'PT409',
        message: 'this invitation has already been used',
      });
      const { data: members } = await service
        .from('organization_members')
        .select('user_id, role')
        .eq('organization_id', ACME)
        .in('user_id', [invitee.id, stranger.id]);
      expect(members).toEqual([{ user_id: invitee.id, role: 'member' }]);
    });

    it('a guessed token finds nothing, and a withdrawn one cannot be accepted', async () => {
      const email = `late-${randomUUID()}@acme.test`;
      const made = await invite(owner, email);
      const { token, id } = made.data as { token: string; id: string };
      expect((await stack.client().rpc('invitation_preview', { token: 'f'.repeat(64) })).data).toBeNull();
      expect((await owner.rpc('revoke_invitation', { invitation_id: id })).data).toBe(true);
      const invitee = await signUp(stack, email, 'Lee Late');
      expect((await invitee.client.rpc('accept_invitation', { token })).error).toMatchObject({
        code: 'PT410',
        message: 'this invitation was withdrawn',
      });
    });
  });
});
