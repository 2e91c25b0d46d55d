/**
 * The realtime-bridge function in real Deno behind a local stack of its own (one database per
 * test file), with the function's env chosen per suite, and supabase-js observers on the topics
 * it delivers to.
 */
import { createClient, type RealtimeChannel, type SupabaseClient } from '@supabase/supabase-js';
import { bridgeFunctionsDir } from '../../scripts/bridge-functions-dir.ts';
import { USERS } from '../../supabase/fixture.ts';
import { signJwt } from '../../local-stack/jwt.ts';
import type { RealtimeLimits } from '../../local-stack/config.ts';
import { Inbox } from '../_support/inbox.ts';
import type { Backend } from '../_db.ts';
import { startAuthStack, type AuthStack } from '../_support/auth-stack.ts';

/** An Acme admin that the seed does not have; the suites that need one create it. */
export const ACME_ADMIN = { id: 'a0000000-0000-4000-8000-0000000000ad', email: 'admin@acme.test' } as const;

export type Caller = keyof typeof USERS | 'service_role' | 'anon' | 'acmeAdmin';

/** A bridge answer's JSON: `{ id, type, topic }` on success, `{ error }` on refusal, route-specific otherwise. */
interface BridgeBody {
  id?: string;
  type?: string;
  topic?: string;
  error?: {
    code: string;
    message: string;
    details?: { issues?: { path: string; message: string }[]; [key: string]: unknown };
  };
  [key: string]: unknown;
}

export interface BridgeAnswer {
  status: number;
  headers: Headers;
  body: BridgeBody;
}

export interface Received {
  topic: string;
  event: string;
  payload: { id: string; type: string; data: Record<string, unknown>; [key: string]: unknown };
}

export interface BridgeStack {
  auth: AuthStack;
  url: string;
  /** The bearer token of a caller (the service role key, the anon key, or a user's access token). */
  token(caller: Caller): Promise<string>;
  request(
    method: string,
    path: string,
    options?: { caller?: Caller; body?: unknown; raw?: BodyInit; headers?: Record<string, string> },
  ): Promise<BridgeAnswer>;
  /** A supabase-js client of `caller` subscribed to `topics`; everything they hear goes to one collector. */
  observe(caller: Caller, topics: readonly string[]): Promise<Inbox<Received>>;
  /** Rows of a table matching a SQL condition, read as the superuser (what was written). */
  count(table: string, where: string, params?: unknown[]): Promise<number>;
  createAcmeAdmin(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts a stack whose functions folder holds only realtime-bridge (the real code) and `env` as its .env. */
export async function startBridgeStack(
  backend: Backend,
  env: Record<string, string> = {},
  options: { shareDatabaseUrl?: boolean; realtime?: Partial<RealtimeLimits> } = {},
): Promise<BridgeStack> {
  const dir = bridgeFunctionsDir(env);
  const realtime = options.realtime
    ? { realtime: { joinErrorDelayMs: 0, connectErrorDelayMs: 0, ...options.realtime } }
    : {};
  const auth = await startAuthStack(backend, { functionsDir: dir.functionsDir, ...realtime }, options);
  const url = `${auth.stack.url}/functions/v1/realtime-bridge`;
  const clients: SupabaseClient[] = [];

  const token = async (caller: Caller): Promise<string> => {
    if (caller === 'service_role') return auth.stack.config.serviceRoleKey;
    if (caller === 'anon') return auth.stack.config.anonKey;
    const user = caller === 'acmeAdmin' ? ACME_ADMIN : USERS[caller];
    const now = Math.floor(Date.now() / 1000);
    return signJwt(
      { sub: user.id, email: user.email, role: 'authenticated', aud: 'authenticated', iat: now, exp: now + 3600 },
      auth.stack.config.jwtSecret,
    );
  };

  return {
    auth,
    url,
    token,
    async request(method, path, { caller = 'service_role', body, raw, headers = {} } = {}) {
      const response = await fetch(`${url}${path}`, {
        method,
        headers: { authorization: `Bearer ${await token(caller)}`, 'content-type': 'application/json', ...headers },
        ...(raw !== undefined
          ? { body: raw, duplex: 'half' }
          : body !== undefined
            ? { body: JSON.stringify(body) }
            : {}),
      } as RequestInit);
      const text = await response.text();
      return { status: response.status, headers: response.headers, body: (text ? JSON.parse(text) : {}) as BridgeBody };
    },
    async observe(caller, topics) {
      const accessToken = await token(caller);
      const client = createClient(auth.stack.url, auth.stack.config.anonKey, {
        accessToken: async () => accessToken,
        auth: { persistSession: false, autoRefreshToken: false },
      });
      clients.push(client);
      // Fetch the token before the first join (realtime-js would otherwise join with the anon key).
      await client.realtime.setAuth();
      const collector = new Inbox<Received>();
      for (const topic of topics)
        await subscribeAll(client.channel(topic, { config: { private: true } }), topic, collector);
      return collector;
    },
    async count(table, where, params = []) {
      const { rows } = await auth.database.db.query<{ n: number }>(
        `select count(*)::int as n from ${table} where ${where}`,
        params,
      );
      return rows[0]!.n;
    },
    async createAcmeAdmin() {
      await auth.database.db.query(
        `insert into auth.users (instance_id, id, aud, role, email, encrypted_password, email_confirmed_at, confirmation_token, recovery_token, email_change_token_new, email_change, raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
         values ('00000000-0000-0000-0000-000000000000', $1, 'authenticated', 'authenticated', $2, '', now(), '', '', '', '', '{}'::jsonb, '{}'::jsonb, now(), now())`,
        [ACME_ADMIN.id, ACME_ADMIN.email],
      );
      await auth.database.db.query(
        `insert into public.organization_members (organization_id, user_id, role) values ($1, $2, 'admin')`,
        [USERS.acmeOwner.orgId, ACME_ADMIN.id],
      );
    },
    async stop() {
      await Promise.all(clients.map((c) => c.removeAllChannels()));
      for (const c of clients) c.realtime.disconnect();
      await auth.stop();
      dir.remove();
    },
  };
}

function subscribeAll(channel: RealtimeChannel, topic: string, collector: Inbox<Received>): Promise<void> {
  channel.on('broadcast', { event: '*' }, (message) =>
    collector.push({ topic, event: message.event, payload: message.payload as Received['payload'] }),
  );
  return new Promise((resolve, reject) => {
    channel.subscribe((status, error) => {
      if (status === 'SUBSCRIBED') resolve();
      else reject(new Error(`subscribe ${topic}: ${status} ${error?.message ?? ''}`));
    });
  });
}

export const ACME = USERS.acmeOwner.orgId;
export const GLOBEX = USERS.globexMember.orgId;
