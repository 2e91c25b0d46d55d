import type { SelectItem } from './api-request.ts';
import { PostgrestError } from './postgrest-error.ts';
import type { ForeignKeyRelationship, Relationship } from './relationships.ts';
import type { TableInfo } from './schema-cache.ts';
import type { SchemaCatalog } from './schema-catalog.ts';

/** How an embedded relation joins its parent. */
export interface Embedding {
  relationship: Relationship;
  /** The relation whose rows are embedded (a computed relationship's result type). */
  table: TableInfo;
  /** `one`: an object or null; `many`: an array. */
  cardinality: 'one' | 'many';
}

export type EmbedItem = Extract<SelectItem, { kind: 'embed' }>;
export type EmbedResolver = (parent: string, embed: EmbedItem) => Promise<Embedding>;

const singleColumn = (r: ForeignKeyRelationship) => (r.columns.length === 1 ? r.columns[0] : undefined);

/**
 * PostgREST's rules for `target!hint(…)`: the target names the related table or view, or — for
 * tables — the foreign key's name or its single column; the hint names the constraint or one of
 * the key's columns. A self-referencing key is two relationships: the table name reaches the
 * referencing rows (one-to-many), the key column reaches the referenced row (many-to-one).
 */
function matches(r: Relationship, target: string, hint: string | undefined): boolean {
  if (r.kind === 'computed') return r.function === target;
  const column = singleColumn(r);
  if (r.isSelf) {
    if (hint === undefined) {
      return (
        (target === r.foreignTable && r.cardinality === 'one-to-many') ||
        (column?.[0] === target && r.cardinality === 'many-to-one')
      );
    }
    return target === r.foreignTable && r.cardinality === 'one-to-many' && column?.[1] === hint;
  }
  if (hint === undefined) {
    return (
      target === r.foreignTable ||
      (r.constraint === target && !r.foreignIsView) ||
      (column?.[0] === target && !r.foreignIsView)
    );
  }
  return target === r.foreignTable && (r.constraint === hint || column?.[0] === hint || column?.[1] === hint);
}

function describe(r: ForeignKeyRelationship) {
  const list = (cols: readonly string[]) => `(${cols.join(', ')})`;
  return {
    cardinality: r.cardinality,
    embedding: `${r.table} with ${r.foreignTable}`,
    relationship: `${r.constraint} using ${r.table}${list(r.columns.map((c) => c[0]))} and ${r.foreignTable}${list(r.columns.map((c) => c[1]))}`,
  };
}

/** Chooses the one relationship `parent → target!hint`, or answers PGRST200 / PGRST201 as PostgREST does. */
export function findRelationship(
  schema: string,
  all: readonly Relationship[],
  parent: string,
  target: string,
  hint: string | undefined,
): Relationship {
  const found = all.filter((r) => r.table === parent && matches(r, target, hint));
  if (found.length === 1) return found[0]!;
  if (found.length === 0) {
    throw new PostgrestError(
      400,
      'PGRST200',
      `Could not find a relationship between '${parent}' and '${target}' in the schema cache`,
      `Searched for a foreign key relationship between '${parent}' and '${target}${hint !== undefined ? `' using the hint '${hint}` : ''}' in the schema '${schema}', but no matches were found.`,
    );
  }
  const keys = found.filter((r): r is ForeignKeyRelationship => r.kind === 'fk');
  return ambiguous(parent, target, keys);
}

function ambiguous(parent: string, target: string, keys: ForeignKeyRelationship[]): never {
  const sorted = [...keys].sort(
    (a, b) => a.constraint.localeCompare(b.constraint) || a.cardinality.localeCompare(b.cardinality),
  );
  throw new PostgrestError(
    300,
    'PGRST201',
    `Could not embed because more than one relationship was found for '${parent}' and '${target}'`,
    sorted.map(describe),
    `Try changing '${target}' to one of the following: ${sorted.map((r) => `'${r.foreignTable}!${r.constraint}'`).join(', ')}. Find the desired relationship in the 'details' key.`,
  );
}

/**
 * Resolves `relation(...)` items of a select against the relationships of the exposed schema,
 * read from the schema cache once per request (and only by requests that embed).
 */
export function createEmbedResolver(catalog: SchemaCatalog, schema: string): EmbedResolver {
  let relationships: Promise<Relationship[]> | undefined;
  const tables = new Map<string, Promise<TableInfo | undefined>>();
  return async (parent, embed) => {
    relationships ??= catalog.relationships(schema);
    const relationship = findRelationship(schema, await relationships, parent, embed.relation, embed.hint);
    const name = relationship.foreignTable;
    if (!tables.has(name)) tables.set(name, catalog.table(schema, name));
    const table = await tables.get(name)!;
    if (!table) throw new PostgrestError(500, 'PGRST000', `relation ${name} vanished from the schema`);
    const one = relationship.kind === 'computed' ? relationship.single : relationship.cardinality !== 'one-to-many';
    return { relationship, table, cardinality: one ? 'one' : 'many' };
  };
}

/** The relationship chosen for each embed item of a select tree (by item identity). */
export type EmbedPlan = ReadonlyMap<EmbedItem, Embedding>;

/**
 * Resolves every embed of a select tree before any SQL is built, parents before children, as
 * PostgREST plans a request: a missing or ambiguous relationship anywhere is answered first. Two
 * sibling embeds PostgREST would give the same join alias (`<parent>_<alias or name>_<depth>`,
 * e.g. `users!first_user(*),users!second_user(*)`) fail as Postgres fails PostgREST's SQL: 42712.
 */
export async function planEmbeds(
  select: readonly SelectItem[],
  parent: string | undefined,
  label: string,
  resolver: EmbedResolver | undefined,
): Promise<EmbedPlan> {
  const plan = new Map<EmbedItem, Embedding>();
  let duplicate: string | undefined;
  const visit = async (items: readonly SelectItem[], from: string | undefined, fromLabel: string, depth: number) => {
    const aliases = new Set<string>();
    for (const item of items) {
      if (item.kind !== 'embed') continue;
      if (!resolver || from === undefined) {
        throw new PostgrestError(
          400,
          'PGRST200',
          `Could not find a relationship between '${fromLabel}' and '${item.relation}' in the schema cache`,
        );
      }
      const embedding = await resolver(from, item);
      if (item.spread) {
        throw new PostgrestError(
          400,
          'PGRST100',
          `failed to parse select parameter (...${item.relation})`,
          'spread embeds ("...") are not supported by the local stack',
        );
      }
      plan.set(item, embedding);
      const aggAlias = `${from}_${item.alias ?? item.relation}_${depth + 1}`;
      if (aliases.has(aggAlias)) duplicate ??= aggAlias;
      aliases.add(aggAlias);
      await visit(item.select, embedding.table.name, embedding.table.name, depth + 1);
    }
  };
  await visit(select, parent, label, 0);
  if (duplicate !== undefined) {
    throw new PostgrestError(400, '42712', `table name "${duplicate}" specified more than once`);
  }
  return plan;
}
