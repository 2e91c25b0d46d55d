import { z } from 'zod';
import type { Queryable } from '../db/index.ts';
import { loadViewColumnOrigins, type ViewColumnOrigins } from './view-columns.ts';

type Cardinality = 'many-to-one' | 'one-to-many' | 'one-to-one';

/** A foreign key seen from `table`: its `columns` pair a column of `table` with one of `foreignTable`. */
export interface ForeignKeyRelationship {
  kind: 'fk';
  table: string;
  foreignTable: string;
  constraint: string;
  cardinality: Cardinality;
  columns: readonly (readonly [string, string])[];
  /** The key references its own table (both ends are `table`). */
  isSelf: boolean;
  foreignIsView: boolean;
}

/** A function `fn(table) returns [setof] foreignTable` used as a relationship (PostgREST's computed relationships). */
interface ComputedRelationship {
  kind: 'computed';
  table: string;
  function: string;
  foreignTable: string;
  /** Not `setof`, or declared `rows 1`: embedded as an object. */
  single: boolean;
}

export type Relationship = ForeignKeyRelationship | ComputedRelationship;

const foreignKeySchema = z.object({
  name: z.string(),
  table: z.string(),
  columns: z.array(z.string()),
  foreign_table: z.string(),
  foreign_columns: z.array(z.string()),
  /** The key's columns are also the referencing table's primary key or a unique constraint: one-to-one. */
  unique: z.boolean(),
});
type ForeignKey = z.infer<typeof foreignKeySchema>;

const computedSchema = z.object({
  function: z.string(),
  table: z.string(),
  foreign_table: z.string(),
  single: z.boolean(),
});

async function loadForeignKeys(tx: Queryable, schema: string): Promise<ForeignKey[]> {
  const { rows } = await tx.query<{ info: unknown }>(
    `select json_build_object(
       'name', c.conname,
       'table', src.relname,
       'columns', (select json_agg(a.attname order by k.ord) from unnest(c.conkey) with ordinality as k(attnum, ord)
                     join pg_attribute a on a.attrelid = c.conrelid and a.attnum = k.attnum),
       'foreign_table', dst.relname,
       'foreign_columns', (select json_agg(a.attname order by k.ord) from unnest(c.confkey) with ordinality as k(attnum, ord)
                     join pg_attribute a on a.attrelid = c.confrelid and a.attnum = k.attnum),
       'unique', exists (select from pg_constraint u where u.conrelid = c.conrelid and u.contype in ('p', 'u')
                          and u.conkey @> c.conkey and u.conkey <@ c.conkey)
     ) as info
     from pg_constraint c
     join pg_class src on src.oid = c.conrelid join pg_namespace sn on sn.oid = src.relnamespace
     join pg_class dst on dst.oid = c.confrelid join pg_namespace dn on dn.oid = dst.relnamespace
     where c.contype = 'f' and c.conparentid = 0 and sn.nspname = $1 and dn.nspname = $1
     order by c.conname`,
    [schema],
  );
  return rows.map((r) => foreignKeySchema.parse(r.info));
}

async function loadComputed(tx: Queryable, schema: string): Promise<ComputedRelationship[]> {
  const { rows } = await tx.query<{ info: unknown }>(
    `select json_build_object('function', p.proname, 'table', arg.relname, 'foreign_table', ret.relname,
                              'single', not p.proretset or p.prorows = 1) as info
       from pg_proc p
       join pg_namespace pn on pn.oid = p.pronamespace
       join pg_class arg on arg.reltype = p.proargtypes[0] join pg_namespace an on an.oid = arg.relnamespace
       join pg_class ret on ret.reltype = p.prorettype join pg_namespace rn on rn.oid = ret.relnamespace
      where p.pronargs = 1 and p.prokind = 'f' and pn.nspname = $1 and an.nspname = $1 and rn.nspname = $1
        and arg.relkind in ('r', 'v', 'm', 'f', 'p') and ret.relkind in ('r', 'v', 'm', 'f', 'p')
      order by p.oid`,
    [schema],
  );
  return rows.map((r) => {
    const info = computedSchema.parse(r.info);
    return {
      kind: 'computed',
      function: info.function,
      table: info.table,
      foreignTable: info.foreign_table,
      single: info.single,
    };
  });
}

/** The relation itself plus every view that exposes all of `columns`, with the columns renamed for the view. */
function endpoints(table: string, columns: readonly string[], views: ViewColumnOrigins) {
  const found: { name: string; columns: string[]; isView: boolean }[] = [
    { name: table, columns: [...columns], isView: false },
  ];
  for (const [view, origins] of views) {
    const mapped = columns.map((column) => {
      for (const [name, origin] of origins) if (origin.table === table && origin.column === column) return name;
      return undefined;
    });
    if (mapped.every((m) => m !== undefined)) found.push({ name: view, columns: mapped as string[], isView: true });
  }
  return found;
}

/**
 * Every relationship between relations of the exposed schema, seen from either end: each foreign
 * key (also through views that expose its columns) as many-to-one (or one-to-one) from the
 * referencing side and one-to-many from the referenced side, plus computed relationships, which
 * replace a foreign-key relationship of the same name.
 */
export async function loadRelationships(tx: Queryable, schema: string): Promise<Relationship[]> {
  // One after the other: PGlite's transaction is a single connection.
  const keys = await loadForeignKeys(tx, schema);
  const computed = await loadComputed(tx, schema);
  const views = await loadViewColumnOrigins(tx, schema);
  const relationships: Relationship[] = [];
  for (const fk of keys) {
    for (const from of endpoints(fk.table, fk.columns, views)) {
      for (const to of endpoints(fk.foreign_table, fk.foreign_columns, views)) {
        const pairs = from.columns.map((c, i) => [c, to.columns[i]!] as const);
        const isSelf = from.name === to.name;
        relationships.push({
          kind: 'fk',
          table: from.name,
          foreignTable: to.name,
          constraint: fk.name,
          cardinality: fk.unique ? 'one-to-one' : 'many-to-one',
          columns: pairs,
          isSelf,
          foreignIsView: to.isView,
        });
        relationships.push({
          kind: 'fk',
          table: to.name,
          foreignTable: from.name,
          constraint: fk.name,
          cardinality: fk.unique ? 'one-to-one' : 'one-to-many',
          columns: pairs.map(([a, b]) => [b, a] as const),
          isSelf,
          foreignIsView: from.isView,
        });
      }
    }
  }
  const overridden = new Set(computed.map((c) => `${c.table}\u0000${c.function}`));
  return [...computed, ...relationships.filter((r) => !overridden.has(`${r.table}\u0000${r.foreignTable}`))];
}
