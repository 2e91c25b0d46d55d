import { describe, expect, it } from 'vitest';
import {
  parseQuery,
  PostgrestError,
  projectionSql,
  SqlParams,
  statusForSqlState,
  whereSql,
} from '../../local-stack/rest/index.ts';

const publishers = { label: 'publishers', columnNames: ['id', 'name', 'territory', 'custom_fields', 'version'] };

async function build(queryString: string): Promise<{ sql: string; params: unknown[] }> {
  const query = parseQuery(new URLSearchParams(queryString));
  const params = new SqlParams();
  const projection = await projectionSql(query.select, publishers, params);
  const sql = `${projection.sql}${whereSql(query.conditions, publishers, params)}`;
  return { sql, params: params.values };
}

describe('SQL from a parsed request', () => {
  it('binds every value, alias and JSON key; only catalog names appear, quoted', async () => {
    const { sql, params } = await build(
      'select=label:name,g:custom_fields->>genre&name=eq.O\'Brien";--&or=(territory.in.(US_West,"a,b"),version.gt.1)',
    );
    expect(sql).toBe(
      `json_build_object($1::text, pgrst_t."name", $3::text, (pgrst_t."custom_fields" ->> $2::text))` +
        ` where pgrst_t."name" = $4 and (pgrst_t."territory" = any($5) or pgrst_t."version" > $6)`,
    );
    expect(params).toEqual(['label', 'genre', 'g', 'O\'Brien";--', '{"US_West","a,b"}', '1']);
  });

  it('uses to_json(row) for select=*', async () => {
    expect((await build('select=*')).sql).toBe('to_json(pgrst_t)');
  });

  it('refuses a column the catalog does not have with 42703 before any SQL exists', async () => {
    for (const qs of ['select=nope', 'nope=eq.1', 'or=(nope.eq.1)', 'select=name&"x y"=eq.1']) {
      let error: unknown;
      try {
        await build(qs);
      } catch (e) {
        error = e;
      }
      expect(error, qs).toBeInstanceOf(PostgrestError);
      expect(error).toMatchObject({ status: 400, code: '42703' });
    }
  });

  it("maps SQLSTATEs to PostgREST's statuses", () => {
    expect(statusForSqlState('42501', true)).toBe(401);
    expect(statusForSqlState('42501', false)).toBe(403);
    expect(statusForSqlState('23505', false)).toBe(409);
    expect(statusForSqlState('23503', false)).toBe(409);
    expect(statusForSqlState('23514', false)).toBe(400);
    expect(statusForSqlState('22P02', false)).toBe(400);
    expect(statusForSqlState('42P01', false)).toBe(404);
    expect(statusForSqlState('PT418', false)).toBe(418);
    expect(statusForSqlState('53300', false)).toBe(503);
  });
});
