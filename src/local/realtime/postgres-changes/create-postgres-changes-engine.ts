import { errorMessage } from '../../errors.ts';
import { z } from 'zod';
import { isApiRole, isPostgresError, quoteIdent, withClaims, type ApiRole, type Database, type JwtClaims } from '../../db/index.ts';
import { capturePublishedTables, CHANGES_CHANNEL, installChangeCapture } from './change-capture.ts';
import {
  bindingId,
  paramsToLog,
  parseSubscriptionParams,
  type ColumnFilter,
  type SubscriptionParams,
} from './parse-subscription.ts';
import { loadTableInfo, tableKey, type ColumnInfo, type TableInfo } from './table-catalog.ts';

/** What the channel pushes as the `postgres_changes` event payload (§5.3). */
export interface PostgresChangesPayload {
  /** Ids (from the join reply) of this channel's bindings that the change satisfied. */
  ids: number[];
  data: Record<string, unknown>;
}

export type PostgresChangesReady = { status: 'ok' } | { status: 'error'; message: string };

/** A join-reply entry: the client's raw binding plus its integer `id` (§2.4). */
export type PostgresChangesReplyEntry = Record<string, unknown> & { id: number };

export interface PostgresChangesRegistration {
  /** In request order, for `phx_reply` `response.postgres_changes` (§2.4). */
  readonly replyEntries: PostgresChangesReplyEntry[];
  /** Settles once the subscription is live (→ "Subscribed to PostgreSQL") or refused (§2.5, §5.4). Never rejects. */
  readonly ready: Promise<PostgresChangesReady>;
  /** Re-subscribes with new claims (after `access_token`, §6.5); this registration stops at once. */
  setClaims(claims: JwtClaims): PostgresChangesRegistration;
  unregister(): void;
}

export interface PostgresChangesEngine {
  register(
    rawBindings: readonly unknown[],
    claims: JwtClaims,
    deliver: (payload: PostgresChangesPayload) => void,
  ): PostgresChangesRegistration;
  close(): Promise<void>;
}

/** The tenant's DB-events counter (§8.3); a `RateCounter` fits. */
export interface DbEventsCounter {
  triggered(): boolean;
  add(count: number): void;
}

export interface PostgresChangesEngineOptions {
  /** Unexpected failures (a query, a subscriber callback); the engine keeps running. */
  onError?: (error: unknown) => void;
  /** Counts deliveries and, while triggered, makes the engine drop changes (§8.3). None: no limit. */
  dbEvents?: DbEventsCounter;
  /** A batch of changes was dropped because `dbEvents` was triggered. */
  onSkipped?: (count: number) => void;
}

/** §5.5 / §8.1 `poll_max_changes`: changes handled per round, as Realtime's poller batches them. */
const MAX_BATCH = 100;
/** §8.1 `poll_max_record_bytes`: beyond it only fields ≤ 64 bytes are sent, with error 413 (§5.3). */
const MAX_RECORD_BYTES = 1_048_576;
const MAX_FIELD_BYTES_WHEN_TOO_LARGE = 64;

const changeRowSchema = z.object({
  id: z.coerce.number().int(),
  schema_name: z.string(),
  table_name: z.string(),
  type: z.enum(['INSERT', 'UPDATE', 'DELETE']),
  record: z.record(z.string(), z.unknown()).nullable(),
  old_record: z.record(z.string(), z.unknown()).nullable(),
  commit_timestamp: z.string(),
});
type Change = z.infer<typeof changeRowSchema>;

interface Binding {
  id: number;
  params: SubscriptionParams;
  /** The published tables the binding resolved to when it subscribed (§5.1). */
  tables: ReadonlySet<string>;
}

interface Subscriber {
  claims: JwtClaims;
  role: ApiRole;
  claimsKey: string;
  bindings: Binding[];
  deliver: (payload: PostgresChangesPayload) => void;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The local Postgres Changes engine (§5): captures changes of the `supabase_realtime`
 * publication's tables, matches them against subscriptions (event, table, filters), checks RLS
 * once per distinct subscriber claims (§5.5), and hands each channel the §5.3 payload, in commit
 * order. One engine per database: it consumes the shared change queue.
 */
export async function createPostgresChangesEngine(
  db: Database,
  options: PostgresChangesEngineOptions = {},
): Promise<PostgresChangesEngine> {
  const onError = options.onError ?? ((error: unknown) => console.error('[realtime] postgres changes:', error));
  const { dbEvents, onSkipped } = options;
  const subscribers = new Set<Subscriber>();
  let pending: number[] = [];
  let draining: Promise<void> | undefined;
  let closed = false;
  // Trigger installation is DDL; one scan at a time keeps two subscribes from racing on it.
  let scanning: Promise<unknown> = Promise.resolve();

  await installChangeCapture(db);
  await capturePublishedTables(db);

  const drain = async (): Promise<void> => {
    while (pending.length > 0 && !closed) {
      const batch = pending.slice(0, MAX_BATCH);
      pending = pending.slice(batch.length);
      try {
        await processBatch(batch);
      } catch (error) {
        onError(error);
      }
    }
  };

  const unlisten = await db.listen(CHANGES_CHANNEL, (payload) => {
    const id = Number(payload);
    if (closed || !Number.isSafeInteger(id)) return;
    pending.push(id);
    draining ??= drain().finally(() => {
      draining = undefined;
    });
  });

  async function processBatch(ids: number[]): Promise<void> {
    const { rows } = await db.query<Record<string, unknown>>(
      `delete from pubdev_local.changes where id = any($1::bigint[])
       returning id, schema_name, table_name, type, record, old_record,
                 to_char(commit_timestamp at time zone 'utc', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as commit_timestamp`,
      [ids],
    );
    const byId = new Map<number, Change>();
    for (const raw of rows) {
      const parsed = changeRowSchema.safeParse(raw);
      if (parsed.success) byId.set(parsed.data.id, parsed.data);
      else onError(new Error(`Skipping malformed change row: ${parsed.error.message}`));
    }
    // Notifications arrive in commit order; identity values are assigned at insert time.
    const changes = ids.map((id) => byId.get(id)).filter((c): c is Change => c !== undefined);
    // RATIONALE (§8.3, [RT] replication_poller.ex `handle_list_changes_result`): while the
    // tenant's DB-events counter is triggered, Realtime's poller still consumes each polled batch
    // from the slot but delivers none of it — the changes are lost, and no subscriber is told.
    // Surprising, but it is what clients of a real project see, so the stand-in does the same
    // (the rows above are already deleted from the queue). The check is once per batch, as the
    // server checks once per poll.
    if (dbEvents?.triggered()) {
      if (changes.length > 0) onSkipped?.(changes.length);
      return;
    }
    if (subscribers.size === 0) return;
    const distinct = [...new Map(changes.map((c) => [tableKey(c.schema_name, c.table_name), c])).values()];
    const tables = await loadTableInfo(
      db,
      distinct.map((c) => ({ schema: c.schema_name, table: c.table_name })),
    );
    for (const change of changes) {
      const table = tables.get(tableKey(change.schema_name, change.table_name));
      if (table) await processChange(change, table);
    }
  }

  async function processChange(change: Change, table: TableInfo): Promise<void> {
    const key = tableKey(table.schema, table.table);
    // §5.1: DELETE is matched against the old identity columns, everything else against the new row.
    const filterRow = change.type === 'DELETE' ? identityOf(change.old_record ?? {}, table.columns) : (change.record ?? {});
    const filterResults = new Map<string, Promise<boolean>>();
    const passes = (filters: readonly ColumnFilter[]): Promise<boolean> => {
      if (filters.length === 0) return Promise.resolve(true);
      const cacheKey = JSON.stringify(filters);
      let result = filterResults.get(cacheKey);
      if (!result) {
        result = evaluateFilters(filters, filterRow, table.columns);
        filterResults.set(cacheKey, result);
      }
      return result;
    };

    const matches: Array<{ subscriber: Subscriber; groups: Map<string, { select: string[] | null; ids: number[] }> }> = [];
    for (const subscriber of subscribers) {
      const groups = new Map<string, { select: string[] | null; ids: number[] }>();
      for (const binding of subscriber.bindings) {
        if (!binding.tables.has(key)) continue;
        if (binding.params.action !== '*' && binding.params.action !== change.type) continue;
        if (!(await passes(binding.params.filters))) continue;
        const selectKey = JSON.stringify(binding.params.select);
        const group = groups.get(selectKey) ?? { select: binding.params.select, ids: [] };
        if (!group.ids.includes(binding.id)) group.ids.push(binding.id);
        groups.set(selectKey, group);
      }
      if (groups.size > 0) matches.push({ subscriber, groups });
    }
    if (matches.length === 0) return;

    // §5.5: one visibility check per distinct claims, only for INSERT/UPDATE on RLS tables.
    const visibility = new Map<string, Promise<Visibility>>();
    const visibleTo = (subscriber: Subscriber): Promise<Visibility> => {
      let result = visibility.get(subscriber.claimsKey);
      if (!result) {
        result = checkVisibility(subscriber.claims, change, table);
        visibility.set(subscriber.claimsKey, result);
      }
      return result;
    };

    for (const { subscriber, groups } of matches) {
      if (!subscribers.has(subscriber)) continue;
      const pk = table.columns.filter((c) => c.pk);
      let errors: string[] | null = null;
      if (change.type !== 'DELETE' && pk.length === 0) errors = ['Error 400: Bad Request, no primary key'];
      else if (change.type !== 'DELETE' && pk.some((c) => !c.selectable[subscriber.role])) errors = ['Error 401: Unauthorized'];
      else if (table.rls && change.type !== 'DELETE') {
        const visible = await visibleTo(subscriber);
        if (visible === 'hidden') continue;
        if (visible === 'error') errors = ['Error 500: Internal Server Error, RLS policy evaluation failed'];
      }
      for (const { select, ids } of groups.values()) {
        const data = errors ? errorData(change, errors) : changeData(change, table, subscriber.role, select);
        // The poller adds one per matching subscription (binding) that gets the change (§8.3).
        dbEvents?.add(ids.length);
        try {
          subscriber.deliver({ ids, data });
        } catch (error) {
          onError(error);
        }
      }
    }
  }

  async function evaluateFilters(filters: readonly ColumnFilter[], row: Record<string, unknown>, columns: ColumnInfo[]): Promise<boolean> {
    const checks: Array<{ op: string; type: number; value_1: string | null; value_2: string; negate: boolean }> = [];
    for (const filter of filters) {
      const path = jsonPath(filter.column);
      if (path === 'invalid') return false;
      const name = path?.base ?? filter.column;
      const column = columns.find((c) => c.name === name);
      // §5.1: a condition on a column absent from the change row fails.
      if (!column || !Object.hasOwn(row, name)) return false;
      const value = row[name];
      if (path) {
        // `col->>key` compares the key's text (`->>` of a non-object is NULL).
        const inner = isRecord(value) && Object.hasOwn(value, path.key) ? value[path.key] : null;
        checks.push({ op: filter.op, type: TEXT_OID, value_1: jsonText(inner), value_2: filter.value, negate: filter.negate });
      } else {
        checks.push({ op: filter.op, type: column.typeOid, value_1: jsonText(value), value_2: filter.value, negate: filter.negate });
      }
    }
    try {
      const { rows } = await db.query<{ ok: boolean }>('select pubdev_local.check_filters($1::jsonb) as ok', [JSON.stringify(checks)]);
      return rows[0]?.ok === true;
    } catch (error) {
      onError(error);
      return false;
    }
  }

  async function checkVisibility(claims: JwtClaims, change: Change, table: TableInfo): Promise<Visibility> {
    const pk = table.columns.filter((c) => c.pk);
    const record = change.record ?? {};
    const keyValues = Object.fromEntries(pk.map((c) => [c.name, record[c.name] ?? null]));
    const relation = `${quoteIdent(table.schema)}.${quoteIdent(table.table)}`;
    // The key values go in as one bound jsonb, typed back into the table's row type by
    // jsonb_populate_record; identifiers come from the catalog, quoted.
    const sql = `select exists (
        select 1 from ${relation} t, jsonb_populate_record(null::${relation}, $1::jsonb) k
         where ${pk.map((c) => `t.${quoteIdent(c.name)} = k.${quoteIdent(c.name)}`).join(' and ')}
      ) as visible`;
    try {
      const visible = await withClaims(
        db,
        claims,
        async (tx) => (await tx.query<{ visible: boolean }>(sql, [JSON.stringify(keyValues)])).rows[0]?.visible === true,
        { rollback: true },
      );
      return visible ? 'visible' : 'hidden';
    } catch (error) {
      // §5.5 / apply_rls: a policy that raises only affects this subscriber, who gets error 500.
      if (isPostgresError(error)) return 'error';
      throw error;
    }
  }

  function register(
    rawBindings: readonly unknown[],
    claims: JwtClaims,
    deliver: (payload: PostgresChangesPayload) => void,
  ): PostgresChangesRegistration {
    // §2.2: nil entries are dropped; anything that is not a map cannot be echoed back either.
    const raws = rawBindings.filter(isRecord);
    const replyEntries = raws.map((raw) => ({ ...raw, id: bindingId(raw) }));
    let subscriber: Subscriber | undefined;
    let unregistered = false;

    const ready = (async (): Promise<PostgresChangesReady> => {
      const parsed: Array<{ id: number; params: SubscriptionParams }> = [];
      for (const [index, raw] of raws.entries()) {
        const result = parseSubscriptionParams(raw);
        if (!result.ok) return { status: 'error', message: result.message };
        parsed.push({ id: replyEntries[index]!.id, params: result.params });
      }
      const scan = scanning.then(() => capturePublishedTables(db));
      scanning = scan.catch(() => undefined);
      const published = await scan;
      const bindings: Binding[] = [];
      for (const { id, params } of parsed) {
        const matched = published.filter(
          (t) => (params.schema === '*' || t.schema === params.schema) && (params.table === '*' || t.table === params.table),
        );
        if (matched.length === 0) {
          return {
            status: 'error',
            message: `Unable to subscribe to changes with given parameters. Please check Realtime is enabled for the given connect parameters: [${paramsToLog(params)}]`,
          };
        }
        const problem = await validateBinding(params, matched, claims);
        if (problem) {
          return {
            status: 'error',
            message: `Unable to subscribe to changes with given parameters. An exception happened so please check your connect parameters: [${paramsToLog(params)}]. Exception: ${problem}`,
          };
        }
        bindings.push({ id, params, tables: new Set(matched.map((t) => tableKey(t.schema, t.table))) });
      }
      if (unregistered || closed) return { status: 'error', message: 'Subscription was removed before it started' };
      if (!isApiRole(claims.role)) {
        return { status: 'error', message: `Unable to subscribe to changes with given parameters. Exception: role "${String(claims.role)}" does not exist` };
      }
      subscriber = { claims, role: claims.role, claimsKey: JSON.stringify(claims), bindings, deliver };
      if (bindings.length > 0) subscribers.add(subscriber);
      return { status: 'ok' };
    })().catch((error: unknown): PostgresChangesReady => {
      onError(error);
      return { status: 'error', message: `Unable to subscribe to changes with given parameters. Exception: ${errorMessage(error)}` };
    });

    const unregister = () => {
      unregistered = true;
      if (subscriber) subscribers.delete(subscriber);
    };
    return {
      replyEntries,
      ready,
      unregister,
      setClaims(next) {
        unregister();
        return register(rawBindings, next, deliver);
      },
    };
  }

  /** Subscribe-time checks of Realtime's `subscription_check_filters` trigger; a message or null. */
  async function validateBinding(
    params: SubscriptionParams,
    tables: ReadonlyArray<{ schema: string; table: string }>,
    claims: JwtClaims,
  ): Promise<string | null> {
    if (!isApiRole(claims.role)) return `ERROR 22023 (invalid_parameter_value) role "${String(claims.role)}" does not exist`;
    const role = claims.role;
    const infos = await loadTableInfo(db, tables);
    for (const info of infos.values()) {
      const visible = new Map(info.columns.filter((c) => c.selectable[role]).map((c) => [c.name, c]));
      for (const filter of params.filters) {
        const path = jsonPath(filter.column);
        if (path === 'invalid') return `ERROR P0001 (raise_exception) invalid jsonb filter expression ${filter.column}`;
        const column = visible.get(path?.base ?? filter.column);
        if (!column) return `ERROR P0001 (raise_exception) invalid column for filter ${filter.column}`;
        if (path && column.typeOid !== JSONB_OID) {
          const { rows } = await db.query<{ name: string }>('select $1::oid::regtype::text as name', [column.typeOid]);
          return `ERROR P0001 (raise_exception) jsonb filter requires a jsonb column, got ${rows[0]?.name ?? column.type}`;
        }
        try {
          const comparisonType = path ? TEXT_OID : column.typeOid;
          await db.query('select pubdev_local.validate_filter($1, $2::oid::regtype, $3)', [filter.op, comparisonType, filter.value]);
        } catch (error) {
          if (!isPostgresError(error)) throw error;
          return describePostgresError(error.code ?? 'XX000', error.message);
        }
      }
      for (const column of params.select ?? []) {
        if (!visible.has(column)) return `ERROR P0001 (raise_exception) invalid column for select ${column}`;
      }
    }
    return null;
  }

  return {
    register,
    async close() {
      closed = true;
      subscribers.clear();
      await unlisten();
      await draining;
    },
  };
}

type Visibility = 'visible' | 'hidden' | 'error';

/** The §5.3 `data` for a subscriber of `role`, restricted to the columns it may select. */
function changeData(change: Change, table: TableInfo, role: ApiRole, select: readonly string[] | null): Record<string, unknown> {
  const shown = table.columns.filter((c) => c.selectable[role] && (select === null || c.pk || select.includes(c.name)));
  const tooLarge = JSON.stringify(change.record ?? change.old_record ?? {}).length > MAX_RECORD_BYTES;
  const pick = (row: Record<string, unknown>, columns: readonly ColumnInfo[]) => {
    const out: Record<string, unknown> = {};
    for (const c of columns) {
      if (!Object.hasOwn(row, c.name)) continue;
      const value = row[c.name];
      if (tooLarge && (JSON.stringify(value) ?? '').length > MAX_FIELD_BYTES_WHEN_TOO_LARGE) continue;
      out[c.name] = value;
    }
    return out;
  };
  const data: Record<string, unknown> = {
    schema: table.schema,
    table: table.table,
    commit_timestamp: change.commit_timestamp,
    type: change.type,
    columns: shown.map((c) => ({ name: c.name, type: c.type })),
  };
  if (change.type !== 'DELETE') data.record = pick(change.record ?? {}, shown);
  if (change.type === 'UPDATE') data.old_record = pick(change.old_record ?? {}, shown.filter((c) => c.identity));
  if (change.type === 'DELETE') {
    // §5.3 / §5.5: DELETEs skip RLS, so on an RLS table the old row is cut down to its primary key.
    data.old_record = pick(change.old_record ?? {}, shown.filter((c) => c.identity && (!table.rls || c.pk)));
  }
  data.errors = tooLarge ? ['Error 413: Payload Too Large'] : null;
  return data;
}

/** What Realtime's poller makes of an error row: no columns, no timestamp, empty records (§5.3). */
function errorData(change: Change, errors: string[]): Record<string, unknown> {
  const data: Record<string, unknown> = {
    schema: change.schema_name,
    table: change.table_name,
    commit_timestamp: null,
    type: change.type,
    columns: [],
  };
  if (change.type !== 'DELETE') data.record = {};
  if (change.type !== 'INSERT') data.old_record = {};
  data.errors = errors;
  return data;
}

function identityOf(row: Record<string, unknown>, columns: readonly ColumnInfo[]): Record<string, unknown> {
  return Object.fromEntries(columns.filter((c) => c.identity && Object.hasOwn(row, c.name)).map((c) => [c.name, row[c.name]]));
}

const TEXT_OID = 25;
const JSONB_OID = 3802;

/**
 * `custom_fields->>genre` filters (realtime's `subscription_check_filters`): the column part
 * must be a jsonb column, the key is trimmed of spaces and quotes; only one `->>` is allowed.
 */
function jsonPath(column: string): { base: string; key: string } | 'invalid' | null {
  const parts = column.split('->>');
  if (parts.length === 1) return null;
  const base = parts[0]!;
  const key = (parts[1] ?? '').replace(/^[ "]+|[ "]+$/g, '');
  if (parts.length > 2 || base === '' || key === '') return 'invalid';
  return { base, key };
}

/** `jsonb #>> '{}'`: the text a JSON value casts from. */
function jsonText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

const CONDITION_NAMES: Record<string, string> = {
  P0001: 'raise_exception',
  '22P02': 'invalid_text_representation',
  '22007': 'invalid_datetime_format',
  '22008': 'datetime_field_overflow',
  '22003': 'numeric_value_out_of_range',
  '2201B': 'invalid_regular_expression',
  '22023': 'invalid_parameter_value',
  '42704': 'undefined_object',
};

/** Postgrex's `Exception.message/1` shape, which the server puts after "Exception: ". */
function describePostgresError(code: string, message: string): string {
  const name = CONDITION_NAMES[code];
  return name ? `ERROR ${code} (${name}) ${message}` : `ERROR ${code} ${message}`;
}

