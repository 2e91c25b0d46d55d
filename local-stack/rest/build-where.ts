import type { Condition, Filter } from './api-request.ts';
import { fieldSql, type ColumnSource } from './column-source.ts';
import { arrayLiteral, type SqlParams } from './sql-params.ts';

const SQL_OPERATORS = {
  eq: '=',
  neq: '<>',
  gt: '>',
  gte: '>=',
  lt: '<',
  lte: '<=',
  like: 'like',
  ilike: 'ilike',
  match: '~',
  imatch: '~*',
  isdistinct: 'is distinct from',
  cs: '@>',
  cd: '<@',
  ov: '&&',
  sl: '<<',
  sr: '>>',
  // RATIONALE: PostgREST names these from the filtered value's side: nxr "does not extend to the right
  // of" is &<, nxl "does not extend to the left of" is &> (postgrest-js rangeLte/rangeGte).
  nxl: '&>',
  nxr: '&<',
  adj: '-|-',
} as const;

const TSQUERY_FUNCTIONS = {
  fts: 'to_tsquery',
  plfts: 'plainto_tsquery',
  phfts: 'phraseto_tsquery',
  wfts: 'websearch_to_tsquery',
} as const;

const IS_SQL = {
  null: 'is null',
  not_null: 'is not null',
  true: 'is true',
  false: 'is false',
  unknown: 'is unknown',
} as const;

// Values are bound as untyped text: Postgres infers each parameter's type from the column it
// is compared with and parses it with that type's input function — as PostgREST's literals do.
function filterSql(filter: Filter, source: ColumnSource, params: SqlParams): string {
  const field = fieldSql(source, filter.field, params);
  let sql: string;
  switch (filter.op) {
    case 'in':
      sql = `${field} = any(${params.add(arrayLiteral(filter.values))})`;
      break;
    case 'is':
      sql = `${field} ${IS_SQL[filter.value]}`;
      break;
    case 'fts':
    case 'plfts':
    case 'phfts':
    case 'wfts': {
      const language = filter.language ? `${params.add(filter.language)}::regconfig, ` : '';
      sql = `${field} @@ ${TSQUERY_FUNCTIONS[filter.op]}(${language}${params.add(filter.value)})`;
      break;
    }
    default: {
      const operator = SQL_OPERATORS[filter.op];
      const quantifier = 'quantifier' in filter ? filter.quantifier : undefined;
      sql = quantifier
        ? `${field} ${operator} ${quantifier}(${params.add(filter.value)})`
        : `${field} ${operator} ${params.add(filter.value)}`;
    }
  }
  return filter.negated ? `not (${sql})` : sql;
}

export function conditionSql(condition: Condition, source: ColumnSource, params: SqlParams): string {
  if (condition.kind === 'filter') return filterSql(condition, source, params);
  const joined = condition.conditions.map((c) => conditionSql(c, source, params)).join(` ${condition.kind} `);
  return condition.negated ? `not (${joined})` : `(${joined})`;
}

/** ` where …` for the AND of `conditions`, or '' when there are none. */
export function whereSql(conditions: readonly Condition[], source: ColumnSource, params: SqlParams): string {
  if (conditions.length === 0) return '';
  return ` where ${conditions.map((c) => conditionSql(c, source, params)).join(' and ')}`;
}
