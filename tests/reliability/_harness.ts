/**
 * Shared set-up of the reliability suites: the product's clients of the fixture users, the
 * retrying writer (agent account + service role), and the checks every suite ends with.
 */
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import { expect } from 'vitest';
import { AGENT_RUNS, FIXTURE_PASSWORD, ORGS, PUBLISHERS, USERS } from '../../supabase/fixture.ts';
import { LOCAL_ANON_KEY, LOCAL_SERVICE_ROLE_KEY } from '../../local-stack/keys.ts';
import { until } from '../integration/_client-stack.ts';
import { converge, liveDuplicates, type ObservedClient } from './_observed-client.ts';
import type { WriterClients, WriterOptions } from './_writer.ts';

export const ACME = ORGS.acme.id;
/** The seed's Acme runs: the agent account reports progress on both. */
/**
 * The seed's processing run (about a US_West publisher: its territory's topic) and an
 * organisation-wide run the writer starts (org:<acme>). The seed's other run is completed, which
 * is final, so nothing may write it.
 */
const ACME_RUNS = [AGENT_RUNS.acmeEnrichment.id, 'd0000000-0000-4000-8000-0000000000a1'] as const;

const NO_SESSION = { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false } as const;

export async function writerClients(url: string): Promise<WriterClients> {
  const agent = createClient(url, LOCAL_ANON_KEY, { auth: { ...NO_SESSION, storageKey: 'sb-writer-agent' } });
  const { error } = await agent.auth.signInWithPassword({ email: USERS.acmeAgent.email, password: FIXTURE_PASSWORD });
  if (error) throw error;
  return { agent, service: createClient(url, LOCAL_SERVICE_ROLE_KEY, { auth: NO_SESSION }) };
}

/** A bare supabase-js client signed in as the Acme owner, for raw channels beside the product's. */
export async function signedInOwner(url: string): Promise<SupabaseClient> {
  const client = createClient(url, LOCAL_ANON_KEY, { auth: { ...NO_SESSION, storageKey: 'sb-raw-owner' } });
  const { error } = await client.auth.signInWithPassword({ email: USERS.acmeOwner.email, password: FIXTURE_PASSWORD });
  if (error) throw error;
  return client;
}

export const ACME_WRITES: WriterOptions = {
  organizationId: ACME,
  runIds: ACME_RUNS,
  territory: 'US_West',
  publisherIds: Object.values(PUBLISHERS)
    .filter((p) => p.orgId === ACME)
    .map((p) => p.id),
};

/** Every client shows exactly the tables, and nothing reached any of them twice or out of order live. */
export async function expectNothingLostOrDuplicated(clients: readonly ObservedClient[]): Promise<void> {
  for (const client of clients) await converge(client);
  for (const client of clients) {
    expect(liveDuplicates(client), `${client.user}: live duplicates`).toEqual([]);
    expect(client.outOfOrder, `${client.user}: live agent updates out of order`).toEqual([]);
  }
}

/** Resolves when the client's connection status is `connected` (its channels may still be joining). */
export async function connected(client: ObservedClient, timeoutMs = 60_000): Promise<void> {
  await until(client.core.connection, (c) => c.status === 'connected', `${client.user} connected`, timeoutMs);
}

/** GET a health endpoint; the status and the body text. */
export async function health(url: string, bearer?: string): Promise<{ status: number; body: string }> {
  const response = await fetch(url, bearer ? { headers: { authorization: `Bearer ${bearer}` } } : {});
  return { status: response.status, body: await response.text() };
}

/** Polls `url` until it answers `status` (a restarted server is back when it is back), or fails. */
export async function healthBecomes(url: string, status: number, bearer?: string, timeoutMs = 20_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = { status: 0, body: '' };
  while (Date.now() < deadline) {
    last = await health(url, bearer).catch((error: unknown) => ({ status: -1, body: String(error) }));
    if (last.status === status) return last.body;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} did not answer ${status} within ${timeoutMs} ms; last: ${last.status} ${last.body}`);
}

export function serviceClient(url: string): SupabaseClient {
  return createClient(url, LOCAL_SERVICE_ROLE_KEY, { auth: NO_SESSION });
}
