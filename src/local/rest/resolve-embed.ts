import type { Queryable } from '../db/index.ts';
import type { SelectItem } from './api-request.ts';
import { PostgrestError } from './postgrest-error.ts';
import { EXPOSED_SCHEMA, findForeignKeys, findTable, type ForeignKey, type TableInfo } from './schema-cache.ts';

/** How an embedded table joins its parent: `pairs` are [parent column, embedded column]. */
export interface Relationship {
  table: TableInfo;
  /** `one`: the parent holds the foreign key (an object or null); `many`: the embedded table does (an array). */
  cardinality: 'one' | 'many';
  pairs: readonly (readonly [string, string])[];
}

export type EmbedResolver = (parent: string, embed: Extract<SelectItem, { kind: 'embed' }>) => Promise<Relationship>;

function describe(fk: ForeignKey, cardinality: 'one' | 'many'): string {
  return `${fk.table} -> ${fk.foreign_table} (${cardinality === 'one' ? 'many-to-one' : 'one-to-many'}) using ${fk.name}`;
}

/**
 * Finds the foreign key between a table and an embedded relation, as PostgREST does for
 * `select=*,organizations(name)`: either side may hold it; `!hint` names the constraint or one of
 * its columns when there is more than one. Only direct foreign keys, no junction tables.
 */
export function createEmbedResolver(tx: Queryable): EmbedResolver {
  return async (parent, embed) => {
    const keys = await findForeignKeys(tx, parent);
    const candidates: { fk: ForeignKey; cardinality: 'one' | 'many' }[] = [];
    for (const fk of keys) {
      if (fk.table === parent && fk.foreign_table === embed.relation) candidates.push({ fk, cardinality: 'one' });
      if (fk.foreign_table === parent && fk.table === embed.relation) candidates.push({ fk, cardinality: 'many' });
    }
    const { hint } = embed;
    const chosen = hint ? candidates.filter(({ fk }) => fk.name === hint || fk.columns.includes(hint) || fk.foreign_columns.includes(hint)) : candidates;
    if (chosen.length === 0) {
      throw new PostgrestError(
        400,
        'PGRST200',
        `Could not find a relationship between '${parent}' and '${embed.relation}' in the schema cache`,
        `Searched for a foreign key relationship between '${parent}' and '${embed.relation}'${hint ? ` using the hint '${hint}'` : ''} in the schema '${EXPOSED_SCHEMA}', but no matches were found.`,
        null,
      );
    }
    if (chosen.length > 1) {
      throw new PostgrestError(
        300,
        'PGRST201',
        `Could not embed because more than one relationship was found for '${parent}' and '${embed.relation}'`,
        chosen.map(({ fk, cardinality }) => describe(fk, cardinality)).join('; '),
        `Try changing '${embed.relation}' to one of the following: ${chosen.map(({ fk }) => `'${embed.relation}!${fk.name}'`).join(', ')}.`,
      );
    }
    const { fk, cardinality } = chosen[0]!;
    const table = await findTable(tx, embed.relation);
    if (!table) throw new PostgrestError(400, 'PGRST200', `Could not find a relationship between '${parent}' and '${embed.relation}' in the schema cache`);
    const pairs = fk.columns.map((column, i) => {
      const foreign = fk.foreign_columns[i]!;
      return cardinality === 'one' ? ([column, foreign] as const) : ([foreign, column] as const);
    });
    return { table, cardinality, pairs };
  };
}
