/**
 * The pure rules of people and access: what a person is told when their rights change, which
 * copy of a person's activity wins, how typed territories and the organisation choice are read.
 */
import { describe, expect, it } from 'vitest';
import { canSeeTerritory, describeAccessChange } from '../../src/realtime/access.ts';
import { mergeActivity, type Activity } from '../../src/realtime/user-activity.ts';
import { parseTerritories } from '../../src/lib/members.ts';
import { chosenOrganization } from '../../src/lib/organization-choice.ts';
import { editedField, editingClaim, isPresenceClaim } from '../../src/contract/index.ts';

const ORG = 'Acme Publishing';

describe('describeAccessChange', () => {
  it.each([
    [
      'a move',
      { role: 'member', territories: ['US_West'] },
      { role: 'member', territories: ['US_East'] },
      ['You were moved to US_East'],
    ],
    [
      'a move to two territories',
      { role: 'member', territories: ['US_West'] },
      { role: 'member', territories: ['US_West', 'EU_North'] },
      ['You were moved to EU_North, US_West'],
    ],
    [
      'every territory',
      { role: 'member', territories: ['US_West'] },
      { role: 'member', territories: [] },
      [`You now see every territory of ${ORG}`],
    ],
    [
      'a promotion (an admin sees everything whatever the list says)',
      { role: 'member', territories: ['US_West'] },
      { role: 'admin', territories: ['US_West'] },
      [`You are now an admin of ${ORG}`, `You now see every territory of ${ORG}`],
    ],
    ['a removal', { role: 'member', territories: [] }, null, [`You no longer have access to ${ORG}`]],
    ['an addition', null, { role: 'agent', territories: [] }, [`You were added to ${ORG} as an agent account`]],
    ['nothing that matters', { role: 'owner', territories: [] }, { role: 'owner', territories: ['US_West'] }, []],
  ] as const)('%s', (_name, previous, next, sentences) => {
    expect(describeAccessChange(ORG, previous, next)).toEqual(sentences);
  });

  it('canSeeTerritory is private.member_can_see_territory', () => {
    expect(canSeeTerritory({ role: 'member', territories: ['US_West'] }, 'US_West')).toBe(true);
    expect(canSeeTerritory({ role: 'member', territories: ['US_West'] }, 'US_East')).toBe(false);
    expect(canSeeTerritory({ role: 'member', territories: ['US_West'] }, null)).toBe(false);
    expect(canSeeTerritory({ role: 'member', territories: [] }, null)).toBe(true);
    expect(canSeeTerritory({ role: 'admin', territories: ['US_West'] }, 'US_East')).toBe(true);
  });
});

describe('mergeActivity', () => {
  const at = (seq: number | null, action: string, complete = true, time = '2026-12-01T10:00:00.000Z'): Activity => ({
    action,
    status: 'online',
    timestamp: time,
    seq,
    complete,
  });

  it('keeps the later report, whichever copy arrives first', () => {
    expect(mergeActivity(at(2, 'b'), at(1, 'a'))).toEqual(at(2, 'b'));
    expect(mergeActivity(at(1, 'a'), at(2, 'b'))).toEqual(at(2, 'b'));
  });

  it('of one report, the complete copy wins over the org-wide one in either order', () => {
    expect(mergeActivity(at(3, '', false), at(3, 'Viewing Harbor House'))).toEqual(at(3, 'Viewing Harbor House'));
    expect(mergeActivity(at(3, 'Viewing Harbor House'), at(3, '', false))).toEqual(at(3, 'Viewing Harbor House'));
  });

  it("the database's copy replaces the person's own unconfirmed one", () => {
    expect(mergeActivity(at(null, 'mine', true, '2026-12-01T10:00:01.000Z'), at(4, 'mine'))).toEqual(at(4, 'mine'));
  });
});

describe('presence claims', () => {
  it('are the SQL grammar', () => {
    expect(editingClaim('name')).toBe('editing:name');
    expect(editedField('editing:custom_fields.genre')).toBe('custom_fields.genre');
    expect(editedField('viewing')).toBeNull();
    expect(['online', 'viewing', 'editing:name'].every(isPresenceClaim)).toBe(true);
    expect(['editing:', 'editing:a b', 'typing'].some(isPresenceClaim)).toBe(false);
    expect(() => editingClaim('a b')).toThrow(RangeError);
  });
});

describe('form and URL input', () => {
  it('parseTerritories trims, drops empty names and repeats', () => {
    expect(parseTerritories(' US_West, ,US_East,US_West ')).toEqual(['US_West', 'US_East']);
    expect(parseTerritories('')).toEqual([]);
  });

  it("chosenOrganization: the URL's id wins, then the remembered one; anything else is ignored", () => {
    const a = '11111111-1111-4111-8111-111111111111';
    const b = '22222222-2222-4222-8222-222222222222';
    expect(chosenOrganization(a, b)).toBe(a);
    expect(chosenOrganization(undefined, b)).toBe(b);
    expect(chosenOrganization(['x'], 'not-a-uuid')).toBeNull();
    expect(chosenOrganization('ORG', undefined)).toBeNull();
  });
});
