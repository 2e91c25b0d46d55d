import { z } from 'zod';
import type { Queryable } from '../db/index.ts';

/** The schema exposed when the database configures none (Supabase's default, minus graphql_public). */
export const DEFAULT_SCHEMA = 'public';

const columnSchema = z.object({
  name: z.string(),
  type: z.string(),
  generated: z.boolean(),
  /** The default as SQL from the catalog (identity columns: their sequence's nextval), for `missing=default`. */
  default: z.string().nullable(),
});
const tableSchema = z.object({
  name: z.string(),
  columns: z.array(columnSchema),
  primary_key: z.array(z.string()),
  computed: z.array(z.string()),
});

type TableColumn = z.infer<typeof columnSchema>;
export interface TableInfo {
  /** The exposed schema it was found in. */
  schema: string;
  /** The name as the catalog spells it — the only table name SQL is ever built from. */
  name: string;
  columns: ReadonlyMap<string, TableColumn>;
  /** Column order as in the table, for `*`. */
  columnNames: readonly string[];
  primaryKey: readonly string[];
  /**
   * Functions `public.f(<this relation>)` returning one value: PostgREST's computed fields, which
   * a request may select, filter and order by like columns (never part of `*`).
   */
  computed: readonly string[];
}

/**
 * Looks a relation up in the catalog by name (a bound parameter). Requests read it through the
 * schema cache (schema-catalog.ts), which reads again after any DDL command, so a migration
 * applied while the stack runs is visible to the next request.
 */
export async function findTable(tx: Queryable, schema: string, name: string): Promise<TableInfo | undefined> {
  const { rows } = await tx.query<{ info: unknown }>(
    `select json_build_object(
       'name', c.relname,
       'columns', coalesce((select json_agg(json_build_object(
                    'name', a.attname,
                    'type', format_type(a.atttypid, a.atttypmod),
                    'generated', a.attgenerated <> '',
                    'default', case when a.attidentity <> '' then format('nextval(%L)', pg_get_serial_sequence(format('%I.%I', n.nspname, c.relname), a.attname))
                                    when a.attgenerated <> '' then null
                                    else pg_get_expr(d.adbin, d.adrelid) end) order by a.attnum)
                  from pg_attribute a left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
                  where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped), '[]'),
       'computed', coalesce((select json_agg(p.proname order by p.oid) from pg_proc p
                  where p.pronamespace = n.oid and p.pronargs = 1 and p.proargtypes[0] = c.reltype
                    and p.prokind = 'f' and not p.proretset), '[]'),
       'primary_key', coalesce((select json_agg(a.attname order by array_position(i.indkey::int2[], a.attnum))
                  from pg_index i join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any(i.indkey::int2[])
                  where i.indrelid = c.oid and i.indisprimary), '[]')
     ) as info
     from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = $1 and c.relname = $2 and c.relkind in ('r', 'v', 'm', 'f', 'p')`,
    [schema, name],
  );
  if (!rows[0]) return undefined;
  const info = tableSchema.parse(rows[0].info);
  return {
    schema,
    name: info.name,
    columns: new Map(info.columns.map((c) => [c.name, c])),
    columnNames: info.columns.map((c) => c.name),
    primaryKey: info.primary_key,
    computed: info.computed,
  };
}

/** Table names, for the "Perhaps you meant" hint of PGRST205. */
export async function listTables(tx: Queryable, schema: string): Promise<string[]> {
  const { rows } = await tx.query<{ name: string }>(
    `select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = $1 and c.relkind in ('r', 'v', 'm', 'f', 'p') order by 1`,
    [schema],
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
  /** The exposed table or view whose row type the function returns: its rows can embed and use computed fields. */
  return_relation: z.string().nullable(),
  volatility: z.enum(['i', 's', 'v']),
});
export type FunctionInfo = z.infer<typeof functionSchema> & { schema: string };

/**
 * As PostgREST's schema cache: a function with unnamed parameters is callable (and listed) only
 * when that is its single parameter and is of type json, jsonb, text, xml or bytea.
 */
const CALLABLE = `case (select count(*) - count(nullif(x.name, ''))
                          from unnest(coalesce(p.proargnames, array_fill(''::text, array[p.pronargs]))) with ordinality as x(name, ord)
                         where coalesce(p.proargmodes[x.ord], 'i') in ('i', 'b', 'v'))
         when 0 then true
         when 1 then p.pronargs = 1 and p.proargtypes[0] in ('json'::regtype, 'jsonb'::regtype, 'text'::regtype, 'xml'::regtype, 'bytea'::regtype)
         else false end`;

/** Names of the callable functions of the exposed schema, for the "Perhaps you meant" hint of PGRST202. */
export async function listFunctions(tx: Queryable, schema: string): Promise<string[]> {
  const { rows } = await tx.query<{ name: string }>(
    `select distinct p.proname as name from pg_proc p join pg_namespace n on n.oid = p.pronamespace
      where n.nspname = $1 and p.prokind = 'f' and ${CALLABLE} order by 1`,
    [schema],
  );
  return rows.map((r) => r.name);
}

/** Every overload of `public.<name>`, with what calling it needs. */
export async function findFunctions(tx: Queryable, schema: string, name: string): Promise<FunctionInfo[]> {
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
       'return_relation', (select r.relname from pg_class r where r.oid = t.typrelid and r.relnamespace = n.oid
                             and r.relkind in ('r', 'v', 'm', 'f', 'p')),
       'volatility', p.provolatile
     ) as info
     from pg_proc p
     join pg_namespace n on n.oid = p.pronamespace
     join pg_type t on t.oid = p.prorettype
     where n.nspname = $1 and p.proname = $2 and p.prokind = 'f'
       and ${CALLABLE}
     order by p.oid`,
    [schema, name],
  );
  return rows.map((r) => ({ ...functionSchema.parse(r.info), schema }));
}
