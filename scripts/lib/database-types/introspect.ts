import type { Queryable } from '../../../local-stack/db/index.ts';
import { viewRelationships } from './view-relationships.ts';

/**
 * What the generator reads from the catalog, in the terms Supabase's generator (postgres-meta's
 * typegen) uses: relations with their columns, foreign-key relationships (with those derived
 * through views, as PostgREST derives them), functions, enums and composite types. Oids are kept
 * as strings: both drivers return them alike that way.
 */
export interface Relation {
  id: string;
  schema: string;
  name: string;
  /** r, p, f (tables), v, m (views). */
  kind: string;
  /** A view accepting inserts and updates (PostgreSQL's auto-updatable check). */
  updatable: boolean;
}

export interface Column {
  relationId: string;
  name: string;
  /** The type name (a domain's base type), `_x` for arrays. */
  format: string;
  nullable: boolean;
  identity: boolean;
  identityAlways: boolean;
  hasDefault: boolean;
  updatable: boolean;
}

export interface Relationship {
  foreignKeyName: string;
  schema: string;
  relation: string;
  columns: string[];
  isOneToOne: boolean;
  referencedSchema: string;
  referencedRelation: string;
  referencedColumns: string[];
}

export interface FunctionArg {
  mode: 'in' | 'out' | 'inout' | 'variadic' | 'table';
  name: string;
  typeId: string;
  hasDefault: boolean | undefined;
}

export interface DbFunction {
  schema: string;
  name: string;
  args: FunctionArg[];
  /** pg_get_function_arguments: how the signature reads. */
  argumentTypes: string;
  returnTypeId: string;
  returnType: string;
  returnTypeRelationId: string | null;
  setReturning: boolean;
  rows: number | null;
}

export interface PgType {
  id: string;
  name: string;
  /** format_type(): how the type reads in SQL (a row type's table name). */
  format: string;
  schema: string;
  relationId: string | null;
  enums: string[];
  attributes: Array<{ name: string; typeId: string }>;
}

export interface Catalog {
  schemas: string[];
  relations: Relation[];
  columns: Column[];
  relationships: Relationship[];
  functions: DbFunction[];
  types: PgType[];
}

const MODES: Record<string, FunctionArg['mode']> = { i: 'in', o: 'out', b: 'inout', v: 'variadic', t: 'table' };

export async function readCatalog(db: Queryable, wanted: readonly string[]): Promise<Catalog> {
  const schemas = (
    await db.query<{ name: string }>('select nspname as name from pg_namespace where nspname = any($1)', [wanted])
  ).rows.map((r) => r.name);

  const relations = (
    await db.query<Relation>(
      `select c.oid::text as id, n.nspname as schema, c.relname as name, c.relkind::text as kind,
              c.relkind = 'v' and (pg_relation_is_updatable(c.oid, false) & 20) = 20 as updatable
         from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = any($1) and c.relkind in ('r', 'p', 'f', 'v', 'm')`,
      [schemas],
    )
  ).rows;

  const columns = (
    await db.query<Column>(
      `select a.attrelid::text as "relationId", a.attname as name, coalesce(bt.typname, t.typname) as format,
              not (a.attnotnull or (t.typtype = 'd' and t.typnotnull)) as nullable,
              a.attidentity in ('a', 'd') as identity, a.attidentity = 'a' as "identityAlways",
              a.atthasdef as "hasDefault",
              c.relkind in ('r', 'p') or (c.relkind in ('v', 'f') and pg_column_is_updatable(c.oid, a.attnum, false))
                as updatable
         from pg_attribute a
         join pg_class c on c.oid = a.attrelid
         join pg_namespace n on n.oid = c.relnamespace
         join pg_type t on t.oid = a.atttypid
         left join pg_type bt on t.typtype = 'd' and bt.oid = t.typbasetype
        where n.nspname = any($1) and c.relkind in ('r', 'p', 'f', 'v', 'm') and a.attnum > 0 and not a.attisdropped`,
      [schemas],
    )
  ).rows;

  // A foreign key is one-to-one when its columns, in key order, are exactly a primary key's or a
  // unique constraint's (in column order) on the same table.
  const tableRelationships = (
    await db.query<Relationship & { relationId: string; referencedId: string }>(
      `with keys as (
         select con.*,
                array(select a.attname::text from unnest(con.conkey) with ordinality k(num, ord)
                        join pg_attribute a on a.attrelid = con.conrelid and a.attnum = k.num order by k.ord) as cols,
                array(select a.attname::text from unnest(con.confkey) with ordinality k(num, ord)
                        join pg_attribute a on a.attrelid = con.confrelid and a.attnum = k.num order by k.ord) as refs
           from pg_constraint con
          where con.contype = 'f' and con.conparentid = 0
            and con.connamespace in (select oid from pg_namespace where nspname = any($1))
       )
       select k.conname as "foreignKeyName", ns.nspname as schema, rel.relname as relation, k.cols as columns,
              exists (
                select from pg_constraint u
                 where u.conrelid = k.conrelid and u.connamespace = k.connamespace and u.contype in ('p', 'u')
                   and array(select a.attname::text from unnest(u.conkey) as num
                               join pg_attribute a on a.attrelid = u.conrelid and a.attnum = num
                              order by a.attnum) = k.cols
              ) as "isOneToOne",
              rns.nspname as "referencedSchema", ref.relname as "referencedRelation", k.refs as "referencedColumns",
              k.conrelid::text as "relationId", k.confrelid::text as "referencedId"
         from keys k
         join pg_namespace ns on ns.oid = k.connamespace
         join pg_class rel on rel.oid = k.conrelid
         join pg_class ref on ref.oid = k.confrelid
         join pg_namespace rns on rns.oid = ref.relnamespace`,
      [schemas],
    )
  ).rows;

  const functions = (
    await db.query<{
      schema: string;
      name: string;
      modes: string[];
      names: string[];
      types: string[];
      inputs: number;
      defaults: number;
      argumentTypes: string;
      returnTypeId: string;
      returnType: string;
      returnTypeRelationId: string | null;
      setReturning: boolean;
      rows: number | null;
    }>(
      `select n.nspname as schema, p.proname as name,
              coalesce(p.proargmodes::text[], array_fill('i'::text, array[cardinality(coalesce(p.proallargtypes, p.proargtypes::oid[]))])) as modes,
              coalesce(p.proargnames, array_fill(''::text, array[cardinality(coalesce(p.proallargtypes, p.proargtypes::oid[]))])) as names,
              coalesce(p.proallargtypes, p.proargtypes::oid[])::text[] as types,
              p.pronargs::int as inputs, p.pronargdefaults::int as defaults,
              pg_get_function_arguments(p.oid) as "argumentTypes",
              p.prorettype::text as "returnTypeId", pg_get_function_result(p.oid) as "returnType",
              nullif(rt.typrelid, 0)::text as "returnTypeRelationId", p.proretset as "setReturning",
              case when p.proretset then nullif(p.prorows, 0)::float8 end as rows
         from pg_proc p
         join pg_namespace n on n.oid = p.pronamespace
         left join pg_type rt on rt.oid = p.prorettype
        where n.nspname = any($1) and p.prokind = 'f'`,
      [schemas],
    )
  ).rows
    .filter((f) => f.returnType !== 'trigger' && f.returnType !== 'event_trigger')
    .map(({ modes, names, types: argTypes, inputs, defaults, ...f }) => ({
      ...f,
      // Defaults belong to the last `defaults` of the `inputs` first arguments, counted by position
      // among all arguments (postgres-meta counts them so; it only differs for OUT-before-IN lists).
      args: argTypes.map((typeId, i) => ({
        mode: MODES[modes[i] ?? 'i'] ?? 'in',
        name: names[i] ?? '',
        typeId,
        hasDefault: i < inputs ? i >= inputs - defaults : undefined,
      })),
    }));

  const types = (
    await db.query<PgType>(
      `select t.oid::text as id, t.typname as name, format_type(t.oid, null) as format, n.nspname as schema, nullif(t.typrelid, 0)::text as "relationId",
              coalesce((select array_agg(e.enumlabel::text order by e.enumsortorder) from pg_enum e
                         where e.enumtypid = t.oid), '{}') as enums,
              coalesce(case when c.relkind = 'c' then
                (select json_agg(json_build_object('name', a.attname, 'typeId', a.atttypid::text) order by a.attnum)
                   from pg_attribute a where a.attrelid = t.typrelid and not a.attisdropped) end, '[]') as attributes
         from pg_type t
         join pg_namespace n on n.oid = t.typnamespace
         left join pg_class c on c.oid = t.typrelid
        where t.typrelid = 0 or c.relkind in ('c', 'r', 'v', 'm', 'p')`,
    )
  ).rows;

  const fromViews = await viewRelationships(db, schemas, tableRelationships);
  const relationships = [...tableRelationships, ...fromViews].map(
    ({
      foreignKeyName,
      schema,
      relation,
      columns: cols,
      isOneToOne,
      referencedSchema,
      referencedRelation,
      referencedColumns,
    }) => ({
      foreignKeyName,
      schema,
      relation,
      columns: cols,
      isOneToOne,
      referencedSchema,
      referencedRelation,
      referencedColumns,
    }),
  );
  return { schemas, relations, columns, relationships, functions, types };
}
