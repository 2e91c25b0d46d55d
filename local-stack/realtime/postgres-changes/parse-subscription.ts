/**
 * Parses one `config.postgres_changes` entry the way Realtime's `Subscriptions.parse_subscription_params/1`
 * does (protocol reference §5.1), including its error strings.
 */

export type ChangeType = 'INSERT' | 'UPDATE' | 'DELETE';
type ActionFilter = ChangeType | '*';

const FILTER_OPERATORS = [
  'eq',
  'neq',
  'lt',
  'lte',
  'gt',
  'gte',
  'in',
  'like',
  'ilike',
  'is',
  'match',
  'imatch',
  'isdistinct',
] as const;
type FilterOperator = (typeof FILTER_OPERATORS)[number];

export interface ColumnFilter {
  column: string;
  op: FilterOperator;
  /** For `in`, a Postgres array literal `{a,b}` (§5.1: `(a,b)` is rewritten the way the server does). */
  value: string;
  negate: boolean;
}

export interface SubscriptionParams {
  action: ActionFilter;
  /** `*` matches every published schema. */
  schema: string;
  /** `*` matches every published table of `schema`. */
  table: string;
  filters: ColumnFilter[];
  /** Selected columns (primary key always added), or null for all. */
  select: string[] | null;
}

export type ParseResult = { ok: true; params: SubscriptionParams } | { ok: false; message: string };

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export function parseSubscriptionParams(raw: unknown): ParseResult {
  const params = isRecord(raw) ? raw : {};
  const action = actionFilter(params.event);
  const select = parseSelect(params.select);
  if (!select.ok) return select;
  const has = (key: string) => Object.hasOwn(params, key);
  const { schema, table, filter } = params;
  let base: { schema: string; table: string; filters: ColumnFilter[] };
  if (typeof schema === 'string' && typeof table === 'string' && typeof filter === 'string') {
    const filters = parseFilters(filter);
    if (!filters.ok) return { ok: false, message: `Error parsing \`filter\` params: ${filters.message}` };
    base = { schema, table, filters: filters.filters };
  } else if (typeof schema === 'string' && typeof table === 'string' && !has('filter')) {
    base = { schema, table, filters: [] };
  } else if (typeof schema === 'string' && !has('table') && !has('filter')) {
    base = { schema, table: '*', filters: [] };
  } else if (typeof table === 'string' && !has('schema') && !has('filter')) {
    base = { schema: 'public', table, filters: [] };
  } else {
    return {
      ok: false,
      message: `No subscription params provided. Please provide at least a \`schema\` or \`table\` to subscribe to: ${inspectMap(params)}`,
    };
  }
  if (select.columns !== null && (base.schema === '*' || base.table === '*')) {
    return {
      ok: false,
      message:
        'Column selection is not supported for wildcard subscriptions. Provide an explicit schema and table name.',
    };
  }
  return { ok: true, params: { action, ...base, select: select.columns } };
}

function actionFilter(event: unknown): ActionFilter {
  if (typeof event !== 'string') return '*';
  const upper = event.toUpperCase();
  return upper === 'INSERT' || upper === 'UPDATE' || upper === 'DELETE' ? upper : '*';
}

function parseSelect(select: unknown): { ok: true; columns: string[] | null } | { ok: false; message: string } {
  if (Array.isArray(select)) {
    const columns = select.filter((c): c is string => typeof c === 'string');
    return { ok: true, columns: columns.length > 0 ? columns : null };
  }
  if (typeof select === 'string') {
    return {
      ok: false,
      message: 'Error parsing `select` params: expected a list of column name strings, e.g. select: ["col1", "col2"]',
    };
  }
  return { ok: true, columns: null };
}

type FiltersResult = { ok: true; filters: ColumnFilter[] } | { ok: false; message: string };

function parseFilters(filter: string): FiltersResult {
  const trimmed = filter.trim();
  if (trimmed === '') return { ok: true, filters: [] };
  const filters: ColumnFilter[] = [];
  for (const segment of splitTopLevel(trimmed)) {
    const parsed = parseSegment(segment);
    if (!parsed.ok) return parsed;
    filters.push(parsed.filter);
  }
  return { ok: true, filters };
}

/** Splits on commas outside parentheses and PostgREST-style double quotes (§5.1). */
function splitTopLevel(filter: string): string[] {
  const segments: string[] = [];
  let current = '';
  let depth = 0;
  let quoted = false;
  let prev = '';
  for (let i = 0; i < filter.length; i++) {
    const char = filter[i]!;
    if (quoted) {
      if (char === '\\' && i + 1 < filter.length) {
        current += char + filter[++i]!;
        prev = filter[i]!;
        continue;
      }
      if (char === '"') quoted = false;
      current += char;
      prev = char;
      continue;
    }
    if (char === '"' && (prev === '.' || prev === '(' || prev === ',')) quoted = true;
    else if (char === '(') depth++;
    else if (char === ')') depth = Math.max(0, depth - 1);
    else if (char === ',' && depth === 0) {
      segments.push(current);
      current = '';
      prev = '';
      continue;
    }
    current += char;
    prev = char;
  }
  segments.push(current);
  return segments;
}

function parseSegment(segment: string): { ok: true; filter: ColumnFilter } | { ok: false; message: string } {
  const trimmed = segment.trim();
  if (trimmed === '') return { ok: false, message: 'filter must not contain empty segments (check for extra commas)' };
  const eq = trimmed.indexOf('=');
  if (eq < 0) return { ok: false, message: inspectList([trimmed]) };
  const column = trimmed.slice(0, eq);
  let rest = trimmed.slice(eq + 1);
  const negate = rest.startsWith('not.');
  if (negate) rest = rest.slice(4);
  const dot = rest.indexOf('.');
  if (dot < 0) return { ok: false, message: inspectList([rest]) };
  const op = rest.slice(0, dot);
  const value = rest.slice(dot + 1);
  if (!(FILTER_OPERATORS as readonly string[]).includes(op)) return { ok: false, message: inspectList([op, value]) };
  if (op === 'in') {
    if (value.length < 2 || !value.startsWith('(') || !value.endsWith(')')) {
      return { ok: false, message: '`in` filter value must be wrapped by parentheses' };
    }
    return { ok: true, filter: { column, op, value: `{${value.slice(1, -1)}}`, negate } };
  }
  return { ok: true, filter: { column, op: op as FilterOperator, value: unquote(value), negate } };
}

/** `"a,b"` → `a,b` with backslash escapes; an unterminated quote leaves the value as written. */
function unquote(value: string): string {
  if (!value.startsWith('"')) return value;
  let out = '';
  for (let i = 1; i < value.length; i++) {
    const char = value[i]!;
    if (char === '\\' && i + 1 < value.length) out += value[++i]!;
    else if (char === '"') return i === value.length - 1 ? out : value;
    else out += char;
  }
  return value;
}

/** Elixir's `inspect/1` of a list of strings, as the server's error messages show it. */
function inspectList(items: readonly string[]): string {
  return `[${items.map((s) => JSON.stringify(s)).join(', ')}]`;
}

function inspectValue(value: unknown): string {
  if (value === null || value === undefined) return 'nil';
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(inspectValue).join(', ')}]`;
  if (isRecord(value)) return inspectMap(value);
  return String(value);
}

function inspectMap(map: Record<string, unknown>): string {
  const entries = Object.entries(map).map(([k, v]) => `${JSON.stringify(k)} => ${inspectValue(v)}`);
  return `%{${entries.join(', ')}}`;
}

/**
 * The parameter list the server puts in subscribe errors (§5.1), e.g.
 * `event: INSERT, schema: public, table: todos, filters: [], select: nil`.
 */
export function paramsToLog(params: SubscriptionParams): string {
  const filters = `[${params.filters
    .map((f) => `{${JSON.stringify(f.column)}, ${JSON.stringify(f.op)}, ${JSON.stringify(f.value)}, ${f.negate}}`)
    .join(', ')}]`;
  const select = params.select === null ? 'nil' : inspectList(params.select);
  return `event: ${params.action}, schema: ${params.schema}, table: ${params.table}, filters: ${filters}, select: ${select}`;
}

/**
 * The integer id of a binding in the join reply (§2.4). The server uses `:erlang.phash2(params)`
 * (0…2^27−1); any stable hash of the raw map serves, since clients only echo it back.
 */
export function bindingId(raw: Record<string, unknown>): number {
  let hash = 0x811c9dc5;
  for (const char of canonicalJson(raw)) {
    hash ^= char.charCodeAt(0);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % 2 ** 27;
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isRecord(value)) {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
