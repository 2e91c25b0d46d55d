import { z } from 'zod';
import { GenerationCache, readCatalogGeneration, type Database, type Queryable } from '../../db/index.ts';

const columnSchema = z.object({
  name: z.string(),
  /** pg_type.typname: int4, text, timestamptz, _text… (§5.3 `columns[].type`). */
  type: z.string(),
  typeOid: z.number().int(),
  pk: z.boolean(),
  /** Part of the replica identity: what an UPDATE/DELETE's `old_record` carries (§5.3). */
  identity: z.boolean(),
  selectable: z.object({ anon: z.boolean(), authenticated: z.boolean(), service_role: z.boolean() }),
});
export type ColumnInfo = z.infer<typeof columnSchema>;

const tableSchema = z.object({
  schema: z.string(),
  table: z.string(),
  rls: z.boolean(),
  columns: z.array(columnSchema),
});
export type TableInfo = z.infer<typeof tableSchema>;

export const tableKey = (schema: string, table: string): string => `${schema}.${table}`;

const cachesByDatabase = new WeakMap<Database, GenerationCache<ReadonlyMap<string, TableInfo>>>();

/**
 * {@link loadTableInfo}, kept until the next DDL command commits (ALTER TABLE and GRANT among
 * them, so they still take effect at once): the changes of one table reuse one catalog read.
 */
export async function tableInfo(
  db: Database,
  tables: ReadonlyArray<{ schema: string; table: string }>,
): Promise<ReadonlyMap<string, TableInfo>> {
  let cache = cachesByDatabase.get(db);
  if (!cache) cachesByDatabase.set(db, (cache = new GenerationCache()));
  const generation = await readCatalogGeneration(db);
  const key = JSON.stringify(tables.map((t) => [t.schema, t.table]).sort());
  return cache.get(generation, key, () => loadTableInfo(db, tables));
}

/**
 * Columns, types, primary key, replica identity, RLS flag and per-role column privileges of the
 * given tables, read from the catalog.
 */
async function loadTableInfo(
  db: Queryable,
  tables: ReadonlyArray<{ schema: string; table: string }>,
): Promise<Map<string, TableInfo>> {
  const result = new Map<string, TableInfo>();
  if (tables.length === 0) return result;
  const { rows } = await db.query<{ info: unknown }>(
    `select json_build_object(
              'schema', n.nspname, 'table', c.relname, 'rls', c.relrowsecurity,
              'columns', coalesce((
                select json_agg(json_build_object(
                         'name', a.attname, 'type', t.typname, 'typeOid', a.atttypid::int8,
                         'pk', coalesce(a.attnum = any(pk.conkey), false),
                         'identity', case c.relreplident
                                       when 'f' then true
                                       when 'd' then coalesce(a.attnum = any(pk.conkey), false)
                                       when 'i' then coalesce(a.attnum = any(ri.indkey::int2[]), false)
                                       else false end,
                         'selectable', json_build_object(
                           'anon', has_column_privilege('anon', c.oid, a.attnum, 'SELECT'),
                           'authenticated', has_column_privilege('authenticated', c.oid, a.attnum, 'SELECT'),
                           'service_role', has_column_privilege('service_role', c.oid, a.attnum, 'SELECT')))
                       order by a.attnum)
                  from pg_attribute a join pg_type t on t.oid = a.atttypid
                 where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped), '[]'::json)
            ) as info
       from pg_class c
       join pg_namespace n on n.oid = c.relnamespace
       left join lateral (select conkey from pg_constraint where conrelid = c.oid and contype = 'p') pk on true
       left join lateral (select indkey from pg_index where indrelid = c.oid and indisreplident) ri on true
      where (n.nspname, c.relname) in (select * from unnest($1::text[], $2::text[]))`,
    [tables.map((t) => t.schema), tables.map((t) => t.table)],
  );
  for (const row of rows) {
    const info = tableSchema.parse(typeof row.info === 'string' ? JSON.parse(row.info) : row.info);
    result.set(tableKey(info.schema, info.table), info);
  }
  return result;
}
