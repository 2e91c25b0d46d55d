import type { ApiQuery, Condition, EmbeddedQuery, OrderTerm, SelectItem } from './api-request.ts';
import { parseColumnList } from './parse-column-list.ts';
import { parseFilter, parseLogicTree } from './parse-filter.ts';
import { parseOrder } from './parse-order.ts';
import { parseSelect } from './parse-select.ts';
import { parseError } from './postgrest-error.ts';

const LOGIC_KEYS = ['and', 'or', 'not.and', 'not.or'] as const;
type LogicKey = (typeof LOGIC_KEYS)[number];

function parseCount(name: 'limit' | 'offset', text: string): number {
  if (!/^\d{1,15}$/.test(text)) throw parseError(`${name} parameter`, text, `expected a non-negative whole number`);
  return Number(text);
}

const EMBED_PATH = /^[\p{L}\p{N}_$]+(?:\.[\p{L}\p{N}_$]+)*$/u;

/**
 * `publishers.name`, `publishers.order`, `a.b.limit`, `publishers.not.or` → [embed path, parameter].
 * Unquoted names never contain `.`, so anything else is an ordinary filter key.
 */
function splitEmbeddedKey(key: string): [string, string] | undefined {
  const logic = ['not.and', 'not.or'].find((k) => key.endsWith(`.${k}`));
  const cut = logic ? key.length - logic.length - 1 : key.lastIndexOf('.');
  if (cut <= 0) return undefined;
  const path = key.slice(0, cut);
  return EMBED_PATH.test(path) ? [path, key.slice(cut + 1)] : undefined;
}

function parseEmbeddedParameter(target: EmbeddedQuery, key: string, value: string): void {
  switch (key) {
    case 'order':
      target.order.push(...parseOrder(value));
      return;
    case 'limit':
      target.limit = parseCount('limit', value);
      return;
    case 'offset':
      target.offset = parseCount('offset', value);
      return;
    default:
      if ((LOGIC_KEYS as readonly string[]).includes(key))
        target.conditions.push(parseLogicTree(key as LogicKey, value));
      else target.conditions.push(parseFilter(key, value));
  }
}

export interface ParseQueryOptions {
  /** For rpc calls: query parameters with these names are function arguments, not filters. */
  argumentNames?: ReadonlySet<string>;
}

/**
 * The query string of a table or rpc request, as PostgREST reads it: reserved parameters, then
 * every other parameter is a filter `column=[not.]op.value` (repeated keys are AND-ed).
 */
export function parseQuery(params: URLSearchParams, options: ParseQueryOptions = {}): ApiQuery {
  let select: SelectItem[] = [{ kind: 'star' }];
  const conditions: Condition[] = [];
  const order: OrderTerm[] = [];
  const query: { -readonly [K in keyof ApiQuery]: ApiQuery[K] } = {
    select,
    conditions,
    order,
    rpcArgs: {},
    embedded: {},
  };
  for (const [key, value] of params) {
    const embedded = (LOGIC_KEYS as readonly string[]).includes(key) ? undefined : splitEmbeddedKey(key);
    if (embedded) {
      const [path, last] = embedded;
      const target = (query.embedded[path] ??= { conditions: [], order: [] });
      parseEmbeddedParameter(target, last, value);
      continue;
    }
    switch (key) {
      case 'select':
        select = parseSelect(value);
        query.select = select;
        break;
      case 'order':
        order.push(...parseOrder(value));
        break;
      case 'limit':
        query.limit = parseCount('limit', value);
        break;
      case 'offset':
        query.offset = parseCount('offset', value);
        break;
      case 'columns':
        query.columns = parseColumnList(value, 'columns parameter');
        break;
      case 'on_conflict':
        query.onConflict = parseColumnList(value, 'on_conflict parameter');
        break;
      default:
        if ((LOGIC_KEYS as readonly string[]).includes(key)) {
          conditions.push(parseLogicTree(key as LogicKey, value));
        } else if (options.argumentNames?.has(key)) {
          query.rpcArgs[key] = value;
        } else {
          conditions.push(parseFilter(key, value));
        }
    }
  }
  return query;
}
