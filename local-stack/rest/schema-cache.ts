import { z } from 'zod';
import type { Queryable } from '../db/index.ts';

/** The one schema the local stack exposes (Supabase's `db-schemas`, minus graphql_public). */
export const EXPOSED_SCHEMA = 'public';

const columnSchema = z.object({ name: z.string(), type: z.string(), generated: z.boolean() });
const tableSchema = z.object({
  name: z.string(),
  columns: z.array(columnSchema),
  primary_key: z.array(z.string()),
});

type TableColumn = z.infer<typeof columnSchema>;
export interface TableInfo {
  /** The name as the catalog spells it — the only table name SQL is ever built from. */
  name: string;
  columns: ReadonlyMap<string, TableColumn>;
  /** Column order as in the table, for `*`. */
  columnNames: readonly string[];
  primaryKey: readonly string[];
}

/**
 * Looks a relation up in the catalog by name (a bound parameter). Read on every request rather
 * than cached, so a migration applied while the stack runs is visible at once — PostgREST needs
 * `NOTIFY pgrst` for that; the local stack trades a few hundred microseconds for not needing it.
 */
export async function findTable(tx: Queryable, name: string): Promise<TableInfo | undefined> {
  const { rows } = await tx.query<{ info: unknown }>(
    `select json_build_object(
       'name', c.relname,
       'columns', coalesce((select json_agg(json_build_object(
                    'name', a.attname,
                    'type', format_type(a.atttypid, a.atttypmod),
                    'generated', a.attgenerated <> '') order by a.attnum)
                  from pg_attribute a
                  where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped), '[]'),
       'primary_key', coalesce((select json_agg(a.attname order by array_position(i.indkey::int2[], a.attnum))
                  from pg_index i join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any(i.indkey::int2[])
                  where i.indrelid = c.oid and i.indisprimary), '[]')
     ) as info
     from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = $1 and c.relname = $2 and c.relkind in ('r', 'v', 'm', 'f', 'p')`,
    [EXPOSED_SCHEMA, name],
  );
  if (!rows[0]) return undefined;
  const info = tableSchema.parse(rows[0].info);
  return {
    name: info.name,
    columns: new Map(info.columns.map((c) => [c.name, c])),
    columnNames: info.columns.map((c) => c.name),
    primaryKey: info.primary_key,
  };
}

/** Table names, for the "Perhaps you meant" hint of PGRST205. */
export async function listTables(tx: Queryable): Promise<string[]> {
  const { rows } = await tx.query<{ name: string }>(
    `select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = $1 and c.relkind in ('r', 'v', 'm', 'f', 'p') order by 1`,
    [EXPOSED_SCHEMA],
  );
  return rows.map((r) => r.name);
}

const functionSchema = z.object({
  name: z.string(),
  /** Input arguments in order: name ('' when unnamed), type as format_type prints it, has a default. */
  args: z.array(z.object({ name: z.string(), type: z.string(), has_default: z.boolean() })),
  returns_set: z.boolean(),
  /** b base, c composite, d domain, e enum, p pseudo (void, record), r range … */
  return_kind: z.string(),
  return_type: z.string(),
  /** Columns of a composite or `returns table (…)` result. */
  result_columns: z.array(z.string()),
  volatility: z.enum(['i', 's', 'v']),
});
export type FunctionInfo = z.infer<typeof functionSchema>;

/** Every overload of `public.<name>`, with what calling it needs. */
export async function findFunctions(tx: Queryable, name: string): Promise<FunctionInfo[]> {
  const { rows } = await tx.query<{ info: unknown }>(
    `select json_build_object(
       'name', p.proname,
       'args', coalesce((
          select json_agg(json_build_object(
                   'name', coalesce(p.proargnames[a.ord], ''),
                   'type', format_type(a.type, null),
                   'has_default', a.input_ord > p.pronargs - p.pronargdefaults) order by a.ord)
            from (select x.type, x.ord, row_number() over (order by x.ord) as input_ord
                    from unnest(coalesce(p.proallargtypes, p.proargtypes::oid[])) with ordinality as x(type, ord)
                   where coalesce(p.proargmodes[x.ord], 'i') in ('i', 'b', 'v')) a), '[]'),
       'returns_set', p.proretset,
       'return_kind', t.typtype,
       'return_type', format_type(p.prorettype, null),
       'result_columns', coalesce(
          (select json_agg(p.proargnames[x.ord] order by x.ord)
             from unnest(p.proargmodes) with ordinality as x(mode, ord) where x.mode in ('t', 'o', 'b')),
          (select json_agg(a.attname order by a.attnum) from pg_attribute a
            where a.attrelid = t.typrelid and a.attnum > 0 and not a.attisdropped),
          '[]'),
       'volatility', p.provolatile
     ) as info
     from pg_proc p
     join pg_namespace n on n.oid = p.pronamespace
     join pg_type t on t.oid = p.prorettype
     where n.nspname = $1 and p.proname = $2 and p.prokind = 'f'`,
    [EXPOSED_SCHEMA, name],
  );
  return rows.map((r) => functionSchema.parse(r.info));
}

const foreignKeySchema = z.object({
  name: z.string(),
  table: z.string(),
  columns: z.array(z.string()),
  foreign_table: z.string(),
  foreign_columns: z.array(z.string()),
  /** The key's columns are also the referencing table's primary key or a unique constraint: one-to-one. */
  unique: z.boolean(),
});
export type ForeignKey = z.infer<typeof foreignKeySchema>;

/** Foreign keys between exposed tables that start or end at `table` (for resource embedding). */
export async function findForeignKeys(tx: Queryable, table: string): Promise<ForeignKey[]> {
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
     where c.contype = 'f' and sn.nspname = $1 and dn.nspname = $1 and (src.relname = $2 or dst.relname = $2)
     order by c.conname`,
    [EXPOSED_SCHEMA, table],
  );
  return rows.map((r) => foreignKeySchema.parse(r.info));
}
