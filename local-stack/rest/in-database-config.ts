import type { IncomingMessage } from 'node:http';
import { CATALOG_GENERATION_SQL, type Queryable } from '../db/index.ts';
import { headerValue } from '../http.ts';
import { PostgrestError } from './postgrest-error.ts';
import { DEFAULT_SCHEMA } from './schema-cache.ts';

/** What a request reads before its transaction: the schema cache's generation and the `pgrst.*` settings. */
export interface RequestCatalogState {
  /** The catalog generation (db/sql/08-catalog-generation.sql) the request's schema cache is read under. */
  readonly generation: number;
  readonly settings: ReadonlyMap<string, string>;
}

/**
 * PostgREST's in-database configuration: `pgrst.*` settings on the authenticator role, e.g.
 * `alter role authenticator set pgrst.db_schemas = 'public, api'` (a database's own setting wins
 * over the role-wide one). Read per request, so a change applies at once, where PostgREST waits
 * for `notify pgrst, 'reload config'`; in the same statement, the catalog generation. Read before
 * the request's transaction begins, so the catalog that transaction sees is at least as new.
 */
export async function readRequestCatalogState(db: Queryable): Promise<RequestCatalogState> {
  const { rows } = await db.query<{ generation: string | number; settings: string[] }>(
    `select ${CATALOG_GENERATION_SQL} as generation,
            array(select c.setting
                    from pg_db_role_setting s join pg_roles r on r.oid = s.setrole, unnest(s.setconfig) as c(setting)
                   where r.rolname = 'authenticator' and c.setting like 'pgrst.%'
                     and s.setdatabase in (0, (select oid from pg_database where datname = current_database()))
                   order by s.setdatabase) as settings`,
  );
  const row = rows[0];
  return { generation: Number(row?.generation ?? 0), settings: parsePgrstSettings(row?.settings ?? []) };
}

function parsePgrstSettings(rows: readonly string[]): ReadonlyMap<string, string> {
  const settings = new Map<string, string>();
  for (const setting of rows) {
    const at = setting.indexOf('=');
    if (at > 0) settings.set(setting.slice('pgrst.'.length, at), setting.slice(at + 1));
  }
  return settings;
}

/** A boolean setting as PostgREST reads one. */
export function settingEnabled(settings: ReadonlyMap<string, string>, name: string): boolean {
  return ['true', 'on', 'yes', '1'].includes(settings.get(name)?.trim().toLowerCase() ?? '');
}

/** `db_schemas`: the exposed schemas, the first being the default; `public` when unset. */
export function exposedSchemas(settings: ReadonlyMap<string, string>): string[] {
  const configured = (settings.get('db_schemas') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return configured.length > 0 ? configured : [DEFAULT_SCHEMA];
}

/**
 * The schema a request addresses: `Accept-Profile` (GET, HEAD) or `Content-Profile` (others),
 * which must name an exposed schema (406 PGRST106), else the first exposed one.
 */
export function requestSchema(req: IncomingMessage, schemas: readonly string[]): string {
  const reading = req.method === 'GET' || req.method === 'HEAD';
  const profile = headerValue(req, reading ? 'accept-profile' : 'content-profile');
  if (profile === undefined) return schemas[0]!;
  if (schemas.includes(profile)) return profile;
  throw new PostgrestError(
    406,
    'PGRST106',
    `Invalid schema: ${profile}`,
    null,
    `Only the following schemas are exposed: ${schemas.join(', ')}`,
  );
}
