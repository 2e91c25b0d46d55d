/**
 * The soak's own organisations: as many as the client count needs (25 people each), every one
 * with territories, an owner who sees all of them, members limited to one territory each, an
 * agent account, publishers in every territory and agent runs. Written into the soak's database
 * as SQL, beside (never instead of) the seed. Passwords use a cheap bcrypt cost so that signing
 * in hundreds of people measures the stack, not bcrypt.
 */

export const SOAK_PASSWORD = 'soak-password';
export const PEOPLE_PER_ORG = 25;
export const SOAK_TERRITORIES = ['US_West', 'US_East', 'EU_North', 'APAC'] as const;
const PUBLISHERS_PER_TERRITORY = 2;
const RUNS_PER_ORG = 2;

export interface SoakPerson {
  readonly id: string;
  readonly email: string;
  readonly orgId: string;
  readonly role: 'owner' | 'member';
  /** Empty: every territory. */
  readonly territories: readonly string[];
}

export interface SoakOrg {
  readonly id: string;
  readonly people: readonly SoakPerson[];
  readonly agent: { readonly id: string; readonly email: string };
  readonly runIds: readonly string[];
  readonly publishers: readonly { readonly id: string; readonly territory: string }[];
}

/** A fixed uuid from a kind digit and a counter, so two soaks of one size make the same ids. */
function uuid(kind: number, n: number): string {
  return `${kind.toString(16).padStart(8, '0')}-50a0-4000-8000-${n.toString(16).padStart(12, '0')}`;
}

export function soakOrgs(clients: number): SoakOrg[] {
  const orgs: SoakOrg[] = [];
  let person = 0;
  for (let o = 0; o * PEOPLE_PER_ORG < clients; o++) {
    const orgId = uuid(0xf, o);
    const size = Math.min(PEOPLE_PER_ORG, clients - o * PEOPLE_PER_ORG);
    const people: SoakPerson[] = Array.from({ length: size }, (_, i) => {
      const id = uuid(0xe, person++);
      return {
        id,
        email: `soak-${o}-${i}@soak.test`,
        orgId,
        role: i === 0 ? 'owner' : 'member',
        territories: i === 0 ? [] : [SOAK_TERRITORIES[i % SOAK_TERRITORIES.length]!],
      };
    });
    orgs.push({
      id: orgId,
      people,
      agent: { id: uuid(0xa, o), email: `soak-agent-${o}@soak.test` },
      runIds: Array.from({ length: RUNS_PER_ORG }, (_, r) => uuid(0xd, o * RUNS_PER_ORG + r)),
      publishers: SOAK_TERRITORIES.flatMap((territory, t) =>
        Array.from({ length: PUBLISHERS_PER_TERRITORY }, (_, p) => ({
          id: uuid(0xc, (o * SOAK_TERRITORIES.length + t) * PUBLISHERS_PER_TERRITORY + p),
          territory,
        })),
      ),
    });
  }
  return orgs;
}

const literal = (value: string) => `'${value.replaceAll("'", "''")}'`;

/** The SQL that creates `orgs` (users, memberships, publishers, runs). */
export function soakFixtureSql(orgs: readonly SoakOrg[]): string {
  const users = orgs.flatMap((org) => [...org.people, { ...org.agent }]);
  const userRows = users.map((u) => `(${literal(u.id)}::uuid, ${literal(u.email)})`).join(',\n    ');
  const memberRows = orgs
    .flatMap((org) => [
      ...org.people.map(
        (p) => `(${literal(org.id)}, ${literal(p.id)}, ${literal(p.role)}, '{${p.territories.join(',')}}')`,
      ),
      `(${literal(org.id)}, ${literal(org.agent.id)}, 'agent', '{}')`,
    ])
    .join(',\n  ');
  const publisherRows = orgs
    .flatMap((org) =>
      org.publishers.map(
        (p, i) =>
          `(${literal(p.id)}, ${literal(org.id)}, ${literal(`Soak publisher ${i}`)}, 'active', ${literal(p.territory)})`,
      ),
    )
    .join(',\n  ');
  const runRows = orgs
    .flatMap((org) =>
      org.runIds.map((id, r) => `(${literal(id)}, ${literal(org.id)}, 'soak-agent-${r}', 'processing', 0)`),
    )
    .join(',\n  ');
  return `
insert into auth.users (
  instance_id, id, aud, role, email, encrypted_password, email_confirmed_at,
  confirmation_token, recovery_token, email_change_token_new, email_change,
  raw_app_meta_data, raw_user_meta_data, created_at, updated_at
)
select '00000000-0000-0000-0000-000000000000', u.id, 'authenticated', 'authenticated', u.email,
       crypt(${literal(SOAK_PASSWORD)}, gen_salt('bf', 4)), now(), '', '', '', '',
       '{"provider":"email","providers":["email"]}'::jsonb, '{}'::jsonb, now(), now()
  from (values
    ${userRows}
  ) as u(id, email);
insert into public.organizations (id, name)
select id, 'Soak organisation ' || row_number() over () from unnest(array[${orgs.map((o) => `${literal(o.id)}::uuid`).join(', ')}]) as id;
insert into public.organization_members (organization_id, user_id, role, territories) values
  ${memberRows};
insert into public.publishers (id, organization_id, name, status, territory) values
  ${publisherRows};
insert into public.agent_runs (id, organization_id, agent_id, status, progress) values
  ${runRows};
`;
}
