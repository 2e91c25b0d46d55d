import type { Catalog, Column, DbFunction, FunctionArg, PgType, Relation, Relationship } from './introspect.ts';
import { renderFunctions } from './render-functions.ts';
import { HELPER_TYPES } from './helper-types.ts';

/**
 * The `Database` type in the shape `supabase gen types typescript` gives (postgres-meta's
 * typegen, one-to-one detection on, no PostgREST version): per schema Tables (Row, Insert,
 * Update, Relationships), Views, Functions (Args, Returns), Enums and CompositeTypes, then the
 * Tables/TablesInsert/TablesUpdate/Enums/CompositeTypes helpers and `Constants`. Unformatted:
 * the caller runs it through Prettier, as postgres-meta does.
 */
const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
const EMPTY = '[_ in never]: never';
/** An object type opened on a new line, as postgres-meta writes them: Prettier keeps it expanded. */
export const object = (members: string) => `{\n${members}\n}`;

export interface RenderContext {
  catalog: Catalog;
  typesById: Map<string, PgType>;
  /** Tables (not foreign) and views of the included schemas, as postgres-meta resolves row types. */
  tables: Relation[];
  views: Relation[];
  columnsOf: (relationId: string) => Column[];
}

export function tsType(context: RenderContext, schema: string, pgType: string): string {
  if (pgType === 'bool') return 'boolean';
  if (['int2', 'int4', 'int8', 'float4', 'float8', 'numeric'].includes(pgType)) return 'number';
  if (
    [
      'bytea',
      'bpchar',
      'varchar',
      'date',
      'text',
      'citext',
      'time',
      'timetz',
      'timestamp',
      'timestamptz',
      'uuid',
      'vector',
      'interval',
    ].includes(pgType)
  ) {
    return 'string';
  }
  if (pgType === 'json' || pgType === 'jsonb') return 'Json';
  if (pgType === 'void') return 'undefined';
  if (pgType === 'record') return 'Record<string, unknown>';
  if (pgType.startsWith('_')) return `(${tsType(context, schema, pgType.slice(1))})[]`;
  const { catalog } = context;
  const pick = <T extends { schema: string }>(candidates: T[]) =>
    candidates.find((c) => c.schema === schema) ?? candidates[0];
  const included = (s: string) => catalog.schemas.includes(s);
  const enumType = pick(catalog.types.filter((t) => t.name === pgType && t.enums.length > 0));
  if (enumType) {
    return included(enumType.schema)
      ? `Database[${JSON.stringify(enumType.schema)}]['Enums'][${JSON.stringify(enumType.name)}]`
      : enumType.enums.map((e) => JSON.stringify(e)).join('|');
  }
  const composite = pick(catalog.types.filter((t) => t.name === pgType && t.attributes.length > 0));
  if (composite) {
    return included(composite.schema)
      ? `Database[${JSON.stringify(composite.schema)}]['CompositeTypes'][${JSON.stringify(composite.name)}]`
      : 'unknown';
  }
  for (const [list, section] of [
    [context.tables, 'Tables'],
    [context.views, 'Views'],
  ] as const) {
    const row = pick(list.filter((r) => r.name === pgType));
    if (row) {
      return included(row.schema)
        ? `Database[${JSON.stringify(row.schema)}]['${section}'][${JSON.stringify(row.name)}]['Row']`
        : 'unknown';
    }
  }
  return 'unknown';
}

export const orNull = (type: string, nullable: boolean) =>
  type === 'unknown' || type === 'any' || !nullable ? type : `${type} | null`;

export function columnType(
  context: RenderContext,
  schema: string,
  column: { name: string; format: string; nullable: boolean; optional: boolean },
): string {
  const type = orNull(tsType(context, schema, column.format), column.nullable);
  return `${JSON.stringify(column.name)}${column.optional ? '?' : ''}: ${type}`;
}

function renderRelationships(relationships: Relationship[]): string {
  return `Relationships: [${relationships
    .map(
      (r) => `{
        foreignKeyName: ${JSON.stringify(r.foreignKeyName)}
        columns: ${JSON.stringify(r.columns)}
        isOneToOne: ${r.isOneToOne}
        referencedRelation: ${JSON.stringify(r.referencedRelation)}
        referencedColumns: ${JSON.stringify(r.referencedColumns)}
      }`,
    )
    .join(',')}]`;
}

function renderRelation(
  context: RenderContext,
  schema: string,
  relation: Relation,
  functions: DbFunction[],
  relationships: Relationship[],
): string {
  const columns = context.columnsOf(relation.id);
  const row = [
    ...columns.map((c) => columnType(context, schema, { ...c, optional: false })),
    // Computed fields: functions taking the row, which PostgREST offers as columns.
    ...functions
      .filter((f) => f.argumentTypes === relation.name)
      .map((f) => `${JSON.stringify(f.name)}: ${orNull(functionReturnType(context, schema, f), true)}`),
  ];
  const isView = relation.kind === 'v' || relation.kind === 'm';
  const writable = (optionalWhen: (c: Column) => boolean, nullableWhen: (c: Column) => boolean) =>
    columns
      .map((c) =>
        (isView ? !c.updatable : c.identityAlways)
          ? `${JSON.stringify(c.name)}?: never`
          : columnType(context, schema, { ...c, nullable: nullableWhen(c), optional: optionalWhen(c) }),
      )
      .join(',');
  const writes = !isView
    ? [
        `Insert: ${object(
          writable(
            (c) => c.nullable || c.identity || c.hasDefault,
            (c) => c.nullable,
          ),
        )}`,
        `Update: ${object(
          writable(
            () => true,
            (c) => c.nullable,
          ),
        )}`,
      ]
    : relation.updatable
      ? [
          `Insert: ${object(
            writable(
              () => true,
              () => true,
            ),
          )}`,
          `Update: ${object(
            writable(
              () => true,
              () => true,
            ),
          )}`,
        ]
      : [];
  const members = [`Row: ${object(row.join(','))}`, ...writes, renderRelationships(relationships)];
  return `${JSON.stringify(relation.name)}: ${object(members.join('\n'))}`;
}

/** The return type of a function: its `returns table` columns, a relation's row, or its type. */
export function functionReturnType(context: RenderContext, schema: string, fn: DbFunction): string {
  const tableColumns = fn.args.filter((a: FunctionArg) => a.mode === 'table');
  if (tableColumns.length > 0) {
    const members = tableColumns.map((a) => {
      const type = context.typesById.get(a.typeId);
      return `${JSON.stringify(a.name)}: ${type ? tsType(context, schema, type.name) : 'unknown'}`;
    });
    return object(members.join(','));
  }
  const relation = [...context.tables, ...context.views].find(
    (r) => r.schema === schema && r.id === fn.returnTypeRelationId,
  );
  if (relation) {
    const members = context.columnsOf(relation.id).map((c) => columnType(context, schema, { ...c, optional: false }));
    return object(members.join(','));
  }
  const type = context.typesById.get(fn.returnTypeId);
  return type ? tsType(context, schema, type.name) : 'unknown';
}

function renderSchema(context: RenderContext, schema: string, relationshipsOf: (r: Relation) => Relationship[]) {
  const { catalog } = context;
  const inSchema = (r: Relation) => r.schema === schema;
  const functions = catalog.functions.filter((f) => f.schema === schema);
  const tables = catalog.relations.filter((r) => inSchema(r) && ['r', 'p', 'f'].includes(r.kind)).sort(byName);
  const views = catalog.relations.filter((r) => inSchema(r) && ['v', 'm'].includes(r.kind)).sort(byName);
  const types = catalog.types.filter((t) => t.schema === schema);
  const enums = types.filter((t) => t.enums.length > 0).sort(byName);
  const composites = types.filter((t) => t.attributes.length > 0).sort(byName);
  const section = (items: string[]) => object(items.length ? items.join(',') : EMPTY);
  const composite = (c: PgType) =>
    `${JSON.stringify(c.name)}: ${object(
      c.attributes
        .map((a) => {
          const type = context.typesById.get(a.typeId);
          return `${JSON.stringify(a.name)}: ${type ? orNull(tsType(context, schema, type.name), true) : 'unknown'}`;
        })
        .join(','),
    )}`;
  const members = [
    `Tables: ${section(tables.map((t) => renderRelation(context, schema, t, functions, relationshipsOf(t))))}`,
    `Views: ${section(views.map((v) => renderRelation(context, schema, v, functions, relationshipsOf(v))))}`,
    `Functions: ${object(renderFunctions(context, schema, functions) || EMPTY)}`,
    `Enums: ${section(enums.map((e) => `${JSON.stringify(e.name)}: ${e.enums.map((v) => JSON.stringify(v)).join('|')}`))}`,
    `CompositeTypes: ${section(composites.map(composite))}`,
  ];
  return `${JSON.stringify(schema)}: ${object(members.join('\n'))}`;
}

export function renderDatabaseTypes(catalog: Catalog): string {
  const columns = new Map<string, Column[]>();
  for (const column of catalog.columns)
    columns.set(column.relationId, [...(columns.get(column.relationId) ?? []), column]);
  for (const list of columns.values()) list.sort(byName);
  const context: RenderContext = {
    catalog,
    typesById: new Map(catalog.types.map((t) => [t.id, t])),
    tables: catalog.relations.filter((r) => r.kind === 'r' || r.kind === 'p'),
    views: catalog.relations.filter((r) => r.kind === 'v'),
    columnsOf: (id) => columns.get(id) ?? [],
  };
  const relationships = [...catalog.relationships].sort(
    (a, b) =>
      a.foreignKeyName.localeCompare(b.foreignKeyName) ||
      a.referencedRelation.localeCompare(b.referencedRelation) ||
      JSON.stringify(a.referencedColumns).localeCompare(JSON.stringify(b.referencedColumns)),
  );
  // A relation's relationships: the foreign keys it holds (or shows, for a view) into its own schema.
  const relationshipsOf = (r: Relation) =>
    relationships.filter((x) => x.schema === r.schema && x.relation === r.name && x.referencedSchema === r.schema);
  const schemas = [...catalog.schemas].sort((a, b) => a.localeCompare(b));
  const constants = schemas.map((schema) => {
    const enums = catalog.types.filter((t) => t.schema === schema && t.enums.length > 0).sort(byName);
    const values = enums.map((e) => `${JSON.stringify(e.name)}: [${e.enums.map((v) => JSON.stringify(v)).join(', ')}]`);
    return `${JSON.stringify(schema)}: ${object(`Enums: ${object(values.join(','))}`)}`;
  });

  return `
export type Json = string | number | boolean | null | { [key: string]: Json | undefined } | Json[]

export type Database = ${object(schemas.map((schema) => renderSchema(context, schema, relationshipsOf)).join(','))}
${HELPER_TYPES}
export const Constants = ${object(constants.join(','))} as const
`;
}
