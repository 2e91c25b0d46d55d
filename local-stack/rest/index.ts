import type { LocalService, ServiceContext } from '../service.ts';
import { handleRestRequest } from './handle-rest-request.ts';

/**
 * `/rest/v1`: the PostgREST subset the project's clients use (supabase-js `from()`/`rpc()`,
 * Python `table()`/`rpc()`), each request run as its JWT's role and claims so RLS decides.
 */
export async function createRestService(context: ServiceContext): Promise<LocalService> {
  return {
    prefix: '/rest/v1',
    requiresApiKey: true,
    description: '/rest/v1 PostgREST subset (select, filters, insert/upsert/update/delete, rpc)',
    handleRequest(req, res, url) {
      return handleRestRequest(context, req, res, url);
    },
    async close() {},
  };
}

// The query-string grammar, exported for its unit tests and for tools that want to check a URL.
export type {
  ApiQuery,
  Condition,
  Field,
  Filter,
  LogicTree,
  OrderTerm,
  Preferences,
  SelectItem,
} from './api-request.ts';
export { parseColumnList } from './parse-column-list.ts';
export { parseFilter, parseLogicTree } from './parse-filter.ts';
export { parseOrder } from './parse-order.ts';
export { parsePrefer } from './parse-prefer.ts';
export { parseQuery } from './parse-query.ts';
export { resolvePage } from './parse-range.ts';
export { parseSelect } from './parse-select.ts';
export { negotiateRepresentation } from './negotiate-representation.ts';
export { PostgrestError, statusForSqlState } from './postgrest-error.ts';
export { whereSql } from './build-where.ts';
export { projectionSql } from './build-projection.ts';
export { SqlParams } from './sql-params.ts';
// Pure rules of the schema cache, exported for their unit tests.
export { chooseFunction } from './choose-function.ts';
export { closestMatch } from './fuzzy-match.ts';
export { findRelationship } from './resolve-embed.ts';
export type { Relationship } from './relationships.ts';
export type { FunctionInfo } from './schema-cache.ts';
export { topLevelTargets } from './view-columns.ts';
