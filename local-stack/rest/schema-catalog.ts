import { GenerationCache, type Database, type Queryable } from '../db/index.ts';
import { loadRelationships, type Relationship } from './relationships.ts';
import { findFunctions, findTable, type FunctionInfo, type TableInfo } from './schema-cache.ts';

/**
 * PostgREST's schema cache as one request sees it: tables, function overloads and relationships
 * of an exposed schema. Entries are shared by every request of the same catalog generation and
 * read again after any DDL command (db/sql/08-catalog-generation.sql), as Supabase's PostgREST
 * reloads its cache after each DDL (`pgrst_ddl_watch`). Nothing here depends on the requesting
 * role: the catalog reads are the same for anon and service_role.
 */
export interface SchemaCatalog {
  table(schema: string, name: string): Promise<TableInfo | undefined>;
  functions(schema: string, name: string): Promise<FunctionInfo[]>;
  relationships(schema: string): Promise<Relationship[]>;
}

interface Caches {
  readonly tables: GenerationCache<TableInfo | undefined>;
  readonly functions: GenerationCache<FunctionInfo[]>;
  readonly relationships: GenerationCache<Relationship[]>;
}

const cachesByDatabase = new WeakMap<Database, Caches>();

/**
 * The schema cache for one request: `generation` read before the request's transaction began,
 * misses read through `tx` (the request's transaction; PGlite has no other connection to use).
 */
export function schemaCatalog(db: Database, generation: number, tx: Queryable): SchemaCatalog {
  let caches = cachesByDatabase.get(db);
  if (!caches) {
    caches = { tables: new GenerationCache(), functions: new GenerationCache(), relationships: new GenerationCache() };
    cachesByDatabase.set(db, caches);
  }
  const { tables, functions, relationships } = caches;
  // JSON keys: schema and relation names may contain any character, a separator could collide.
  return {
    table: (schema, name) => tables.get(generation, JSON.stringify([schema, name]), () => findTable(tx, schema, name)),
    functions: (schema, name) =>
      functions.get(generation, JSON.stringify([schema, name]), () => findFunctions(tx, schema, name)),
    relationships: (schema) => relationships.get(generation, schema, () => loadRelationships(tx, schema)),
  };
}
