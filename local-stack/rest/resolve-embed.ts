import type { Queryable } from '../db/index.ts';
import type { SelectItem } from './api-request.ts';
import { PostgrestError } from './postgrest-error.ts';
import { EXPOSED_SCHEMA, findForeignKeys, findTable, type ForeignKey, type TableInfo } from './schema-cache.ts';

/** How an embedded table joins its parent: `pairs` are [parent column, embedded column]. */
interface Relationship {
  table: TableInfo;
  /** `one`: an object or null (the parent holds the foreign key, or it is one-to-one); `many`: an array. */
  cardinality: 'one' | 'many';
  pairs: readonly (readonly [string, string])[];
}

export type EmbedResolver = (parent: string, embed: Extract<SelectItem, { kind: 'embed' }>) => Promise<Relationship>;

/** Which side holds the foreign key: the parent (many-to-one) or the embedded table (one-to-many). */
type Holder = 'parent' | 'embedded';

function describe(fk: ForeignKey, holder: Holder): string {
  const kind = fk.unique ? 'one-to-one' : holder === 'parent' ? 'many-to-one' : 'one-to-many';
  return `${fk.table} -> ${fk.foreign_table} (${kind}) using ${fk.name}`;
}

/**
 * Finds the foreign key between a table and an embedded relation, as PostgREST does for
 * `select=*,organizations(name)`: either side may hold it; `!hint` names the constraint or one of
 * its columns when there is more than one. Only direct foreign keys, no junction tables.
 */
export function createEmbedResolver(tx: Queryable): EmbedResolver {
  return async (parent, embed) => {
    const keys = await findForeignKeys(tx, parent);
    const candidates: { fk: ForeignKey; holder: Holder }[] = [];
    for (const fk of keys) {
      if (fk.table === parent && fk.foreign_table === embed.relation) candidates.push({ fk, holder: 'parent' });
      if (fk.foreign_table === parent && fk.table === embed.relation) candidates.push({ fk, holder: 'embedded' });
    }
    const { hint } = embed;
    const chosen = hint
      ? candidates.filter(
          ({ fk }) => fk.name === hint || fk.columns.includes(hint) || fk.foreign_columns.includes(hint),
        )
      : candidates;
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
        chosen.map(({ fk, holder }) => describe(fk, holder)).join('; '),
        `Try changing '${embed.relation}' to one of the following: ${chosen.map(({ fk }) => `'${embed.relation}!${fk.name}'`).join(', ')}.`,
      );
    }
    const { fk, holder } = chosen[0]!;
    // A foreign key that is also the referencing table's primary key or unique is one-to-one:
    // PostgREST embeds an object from either side, never a one-element array.
    const cardinality = holder === 'parent' || fk.unique ? 'one' : 'many';
    const table = await findTable(tx, embed.relation);
    if (!table)
      throw new PostgrestError(
        400,
        'PGRST200',
        `Could not find a relationship between '${parent}' and '${embed.relation}' in the schema cache`,
      );
    const pairs = fk.columns.map((column, i) => {
      const foreign = fk.foreign_columns[i]!;
      return holder === 'parent' ? ([column, foreign] as const) : ([foreign, column] as const);
    });
    return { table, cardinality, pairs };
  };
}
