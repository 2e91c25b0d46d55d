import type { Queryable } from './database.ts';

/**
 * The catalog generation (db/sql/08-catalog-generation.sql) as a scalar subquery, for a caller
 * that reads it together with something else in one statement.
 */
export const CATALOG_GENERATION_SQL = '(select n from pubdev_local.catalog_generation)';

/** The current catalog generation: it changes with every committed DDL command. */
export async function readCatalogGeneration(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ n: string | number }>(`select ${CATALOG_GENERATION_SQL} as n`);
  return Number(rows[0]?.n ?? 0);
}

/**
 * What the stack read from the catalog, kept for as long as the catalog generation it was read
 * under is the newest one seen. The caller reads the generation before it reads the catalog, so
 * an entry is never older than its generation; a newer generation drops every entry. A reader
 * that comes with an older generation than the newest (a request that began before a migration
 * committed) reads for itself and stores nothing. A failed load is not remembered.
 */
export class GenerationCache<Value> {
  private generation = Number.NEGATIVE_INFINITY;
  private readonly entries = new Map<string, Promise<Value>>();

  get(generation: number, key: string, load: () => Promise<Value>): Promise<Value> {
    if (generation > this.generation) {
      this.generation = generation;
      this.entries.clear();
    }
    if (generation < this.generation) return load();
    let entry = this.entries.get(key);
    if (!entry) {
      const loading = load();
      loading.catch(() => {
        if (this.entries.get(key) === loading) this.entries.delete(key);
      });
      this.entries.set(key, (entry = loading));
    }
    return entry;
  }
}
