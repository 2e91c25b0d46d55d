import { isApiRole, isPostgresError, type Database, type JwtClaims } from '../../db/index.ts';
import { errorMessage } from '../../errors.ts';
import { capturePublishedTables } from './change-capture.ts';
import {
  isRecord,
  type Binding,
  type PostgresChangesPayload,
  type PostgresChangesReady,
  type PostgresChangesRegistration,
  type Subscriber,
} from './engine-types.ts';
import { JSONB_OID, jsonPath, TEXT_OID } from './match-change.ts';
import { bindingId, paramsToLog, parseSubscriptionParams, type SubscriptionParams } from './parse-subscription.ts';
import { tableInfo, tableKey } from './table-catalog.ts';

export interface SubscriptionStore {
  readonly db: Database;
  readonly subscribers: Set<Subscriber>;
  readonly onError: (error: unknown) => void;
  readonly isClosed: () => boolean;
}

const UNABLE = 'Unable to subscribe to changes with given parameters.';

/**
 * Registers a channel's bindings (§5.4): the reply entries at once, then — asynchronously — the
 * published tables each binding names, Realtime's subscribe-time checks, and the live subscriber.
 */
export function createRegistrar(store: SubscriptionStore) {
  const { db, subscribers, onError } = store;
  // Trigger installation is DDL; one scan at a time keeps two subscribes from racing on it.
  let scanning: Promise<unknown> = Promise.resolve();

  async function subscribe(
    raws: readonly Record<string, unknown>[],
    ids: readonly number[],
    claims: JwtClaims,
  ): Promise<Binding[] | string> {
    const parsed: Array<{ id: number; params: SubscriptionParams }> = [];
    for (const [index, raw] of raws.entries()) {
      const result = parseSubscriptionParams(raw);
      if (!result.ok) return result.message;
      parsed.push({ id: ids[index]!, params: result.params });
    }
    const scan = scanning.then(() => capturePublishedTables(db));
    scanning = scan.catch(() => undefined);
    const published = await scan;
    const bindings: Binding[] = [];
    for (const { id, params } of parsed) {
      const matched = published.filter(
        (t) =>
          (params.schema === '*' || t.schema === params.schema) && (params.table === '*' || t.table === params.table),
      );
      if (matched.length === 0) {
        return `${UNABLE} Please check Realtime is enabled for the given connect parameters: [${paramsToLog(params)}]`;
      }
      const problem = await validateBinding(params, matched, claims);
      if (problem) {
        return `${UNABLE} An exception happened so please check your connect parameters: [${paramsToLog(params)}]. Exception: ${problem}`;
      }
      bindings.push({ id, params, tables: new Set(matched.map((t) => tableKey(t.schema, t.table))) });
    }
    return bindings;
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
      const bindings = await subscribe(
        raws,
        replyEntries.map((e) => e.id),
        claims,
      );
      if (typeof bindings === 'string') return { status: 'error', message: bindings };
      if (unregistered || store.isClosed())
        return { status: 'error', message: 'Subscription was removed before it started' };
      if (!isApiRole(claims.role))
        return { status: 'error', message: `${UNABLE} Exception: role "${String(claims.role)}" does not exist` };
      subscriber = { claims, role: claims.role, claimsKey: JSON.stringify(claims), bindings, deliver };
      if (bindings.length > 0) subscribers.add(subscriber);
      return { status: 'ok' };
    })().catch((error: unknown): PostgresChangesReady => {
      onError(error);
      return { status: 'error', message: `${UNABLE} Exception: ${errorMessage(error)}` };
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
    if (!isApiRole(claims.role))
      return `ERROR 22023 (invalid_parameter_value) role "${String(claims.role)}" does not exist`;
    const role = claims.role;
    const infos = await tableInfo(db, tables);
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
          await db.query('select pubdev_local.validate_filter($1, $2::oid::regtype, $3)', [
            filter.op,
            comparisonType,
            filter.value,
          ]);
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

  return register;
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
