import type { Queryable } from '../db/index.ts';

/** Where a view's output column comes from: a column of a table (or of another view). */
interface ColumnOrigin {
  table: string;
  column: string;
}

/** Per view name: its columns that are plain references to a base column, by output name. */
export type ViewColumnOrigins = ReadonlyMap<string, ReadonlyMap<string, ColumnOrigin>>;

const DELIMITERS = new Set(['{', '}', '(', ')']);

/** Splits a stored node tree (`pg_rewrite.ev_action`) into `{ } ( )` and words, honouring `\` escapes. */
function* tokens(tree: string): Generator<string> {
  let i = 0;
  while (i < tree.length) {
    const ch = tree[i]!;
    if (ch === ' ' || ch === '\n' || ch === '\t') {
      i++;
    } else if (DELIMITERS.has(ch)) {
      i++;
      yield ch;
    } else {
      let word = '';
      while (i < tree.length && !DELIMITERS.has(tree[i]!) && tree[i] !== ' ' && tree[i] !== '\n') {
        if (tree[i] === '\\' && i + 1 < tree.length) i++;
        word += tree[i]!;
        i++;
      }
      yield word;
    }
  }
}

interface TargetEntry {
  resname: string;
  table: number;
  column: number;
  junk: boolean;
}

/**
 * The top-level target list of a view's query, read from its rewrite rule: each output column's
 * `resorigtbl`/`resorigcol` (the table column it is a plain reference to, 0 when computed). This
 * is how PostgREST, too, learns which view columns carry a table's keys.
 */
export function topLevelTargets(tree: string): TargetEntry[] {
  const entries: TargetEntry[] = [];
  let depth = 0;
  let queryDepth = -1;
  let inTargets = false;
  let targetsDepth = 0;
  let current: TargetEntry | undefined;
  let field: string | undefined;
  for (const token of tokens(tree)) {
    if (token === '{' || token === '(') {
      depth++;
      if (queryDepth < 0 && token === '{') queryDepth = depth;
      if (inTargets && token === '{' && depth === targetsDepth + 1) {
        current = { resname: '', table: 0, column: 0, junk: false };
      }
      field = undefined;
      continue;
    }
    if (token === '}' || token === ')') {
      if (inTargets && token === '}' && depth === targetsDepth + 1 && current) {
        entries.push(current);
        current = undefined;
      }
      if (inTargets && token === ')' && depth === targetsDepth) return entries.filter((e) => !e.junk);
      depth--;
      field = undefined;
      continue;
    }
    if (token.startsWith(':')) {
      field = token;
      if (depth === queryDepth && token === ':targetList') {
        inTargets = true;
        targetsDepth = depth + 1;
      }
      continue;
    }
    if (current && depth === targetsDepth + 1 && field) {
      if (field === ':resname') current.resname = token;
      else if (field === ':resorigtbl') current.table = Number(token);
      else if (field === ':resorigcol') current.column = Number(token);
      else if (field === ':resjunk') current.junk = token === 'true';
    }
    field = undefined;
  }
  return entries.filter((e) => !e.junk);
}

/**
 * For every view in the exposed schema, which of its columns are a base table's columns, followed
 * through views of views. Views whose query is a union, or columns that are expressions, map nothing.
 */
export async function loadViewColumnOrigins(tx: Queryable, schema: string): Promise<ViewColumnOrigins> {
  const views = await tx.query<{ name: string; tree: string }>(
    `select c.relname as name, r.ev_action::text as tree
       from pg_rewrite r join pg_class c on c.oid = r.ev_class join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = $1 and c.relkind in ('v', 'm') and r.rulename = '_RETURN'`,
    [schema],
  );
  if (views.rows.length === 0) return new Map();
  const columns = await tx.query<{ oid: string; relname: string; attnum: number; attname: string }>(
    `select c.oid::text as oid, c.relname, a.attnum::int as attnum, a.attname
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
       join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
      where n.nspname = $1 and c.relkind in ('r', 'v', 'm', 'f', 'p')`,
    [schema],
  );
  const byOid = new Map(columns.rows.map((r) => [`${r.oid}:${r.attnum}`, { table: r.relname, column: r.attname }]));
  const direct = new Map<string, Map<string, ColumnOrigin>>();
  for (const view of views.rows) {
    const origins = new Map<string, ColumnOrigin>();
    for (const entry of topLevelTargets(view.tree)) {
      const origin = byOid.get(`${entry.table}:${entry.column}`);
      if (origin && !origins.has(entry.resname)) origins.set(entry.resname, origin);
    }
    direct.set(view.name, origins);
  }
  // A view of a view: follow the chain down to a table (a few levels; cycles cannot exist).
  const resolved = new Map<string, Map<string, ColumnOrigin>>();
  for (const [view, origins] of direct) {
    const out = new Map<string, ColumnOrigin>();
    for (const [name, origin] of origins) {
      let at: ColumnOrigin | undefined = origin;
      for (let hops = 0; at && direct.has(at.table) && hops < 16; hops++) at = direct.get(at.table)!.get(at.column);
      if (at) out.set(name, at);
    }
    resolved.set(view, out);
  }
  return resolved;
}
