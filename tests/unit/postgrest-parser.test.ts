import { describe, expect, it } from 'vitest';
import {
  negotiateRepresentation,
  parseColumnList,
  parseFilter,
  parseLogicTree,
  parseOrder,
  parsePrefer,
  parseQuery,
  parseSelect,
  PostgrestError,
  resolvePage,
} from '../../local-stack/rest/index.ts';

/** The PostgREST error a parse refusal carries (PGRST100 → 400), or undefined when it parsed. */
function refusal(fn: () => unknown): PostgrestError | undefined {
  try {
    fn();
    return undefined;
  } catch (error) {
    if (error instanceof PostgrestError) return error;
    throw error;
  }
}

describe('parseSelect', () => {
  it('reads columns, aliases, JSON paths and casts', () => {
    expect(parseSelect('id,display:name,genre:custom_fields->>genre,custom_fields->a->0,version::text,*')).toEqual([
      { kind: 'column', field: { name: 'id', path: [] } },
      { kind: 'column', field: { name: 'name', path: [] }, alias: 'display' },
      { kind: 'column', field: { name: 'custom_fields', path: [{ arrow: '->>', key: 'genre' }] }, alias: 'genre' },
      {
        kind: 'column',
        field: {
          name: 'custom_fields',
          path: [
            { arrow: '->', key: 'a' },
            { arrow: '->', key: '0' },
          ],
        },
      },
      { kind: 'column', field: { name: 'version', path: [] }, cast: 'text' },
      { kind: 'star' },
    ]);
  });

  it('reads double-quoted names with escapes', () => {
    expect(parseSelect('"my col","a\\"b"')).toEqual([
      { kind: 'column', field: { name: 'my col', path: [] } },
      { kind: 'column', field: { name: 'a"b', path: [] } },
    ]);
  });

  it('parses embeds (served or refused later, by the builder)', () => {
    expect(parseSelect('name,org:organizations!inner(id,name)')).toEqual([
      { kind: 'column', field: { name: 'name', path: [] } },
      {
        kind: 'embed',
        relation: 'organizations',
        alias: 'org',
        inner: true,
        select: [
          { kind: 'column', field: { name: 'id', path: [] } },
          { kind: 'column', field: { name: 'name', path: [] } },
        ],
      },
    ]);
  });

  it.each([
    'id,name;drop table publishers',
    "name'--",
    'id::text;select 1',
    'id::regclass',
    'name from publishers',
    'a->>b->c',
    'id,',
    'x(',
  ])('refuses %j with PGRST100', (text) => {
    const error = refusal(() => parseSelect(text));
    expect(error?.status).toBe(400);
    expect(error?.code).toBe('PGRST100');
    expect(error?.message).toBe(`failed to parse select parameter (${text})`);
  });
});

describe('parseFilter', () => {
  it('reads every operator PostgREST clients send', () => {
    expect(parseFilter('name', 'eq.Sunrise Books')).toEqual({
      kind: 'filter',
      field: { name: 'name', path: [] },
      negated: false,
      op: 'eq',
      value: 'Sunrise Books',
    });
    expect(parseFilter('version', 'not.gte.2')).toMatchObject({ negated: true, op: 'gte', value: '2' });
    expect(parseFilter('name', 'ilike.*sun*')).toMatchObject({ op: 'ilike', value: '%sun%' });
    expect(parseFilter('name', 'like(any).{a*,b*}')).toMatchObject({ op: 'like', quantifier: 'any', value: '{a%,b%}' });
    expect(parseFilter('territory', 'is.NULL')).toMatchObject({ op: 'is', value: 'null' });
    expect(parseFilter('territory', 'not.is.not_null')).toMatchObject({ negated: true, op: 'is', value: 'not_null' });
    expect(parseFilter('territories', 'cs.{US_West}')).toMatchObject({ op: 'cs', value: '{US_West}' });
    expect(parseFilter('custom_fields->>genre', 'eq.fiction')).toMatchObject({
      field: { name: 'custom_fields', path: [{ arrow: '->>', key: 'genre' }] },
    });
    expect(parseFilter('name', 'fts(english).press')).toMatchObject({ op: 'fts', language: 'english', value: 'press' });
  });

  it('keeps a top-level value whole, commas and dots included', () => {
    expect(parseFilter('name', 'eq.a,b.c(d)')).toMatchObject({ op: 'eq', value: 'a,b.c(d)' });
  });

  it('reads in-lists with quoted elements', () => {
    expect(parseFilter('name', 'in.(a,"b,c","d\\"e",)')).toMatchObject({ op: 'in', values: ['a', 'b,c', 'd"e', ''] });
    expect(parseFilter('name', 'in.()')).toMatchObject({ op: 'in', values: [] });
  });

  it.each([
    ['name', 'xx.a'],
    ['name', 'eq'],
    ['name', 'in.(a,b'],
    ['name', 'in.(a)x'],
    ['name', 'is.maybe'],
    ['name;drop table publishers', 'eq.a'],
    ["name' or '1'='1", 'eq.a'],
    ['name)', 'eq.a'],
    ['na.me', 'eq.a'],
  ])('refuses %j=%j with PGRST100', (key, value) => {
    const error = refusal(() => parseFilter(key, value));
    expect(error).toMatchObject({ status: 400, code: 'PGRST100' });
  });
});

describe('parseLogicTree', () => {
  it('reads nested and/or with negation, quoted values and lists', () => {
    const tree = parseLogicTree(
      'or',
      '(territory.eq.US_East,name.ilike.*sun*,and(version.gt.1,not.or(a.is.null,b.in.(1,2))),name.eq."x,y")',
    );
    expect(tree.kind).toBe('or');
    expect(tree.conditions).toHaveLength(4);
    expect(tree.conditions[1]).toMatchObject({ op: 'ilike', value: '%sun%' });
    expect(tree.conditions[2]).toMatchObject({ kind: 'and', negated: false });
    const and = tree.conditions[2] as unknown as { conditions: unknown[] };
    expect(and.conditions[1]).toMatchObject({
      kind: 'or',
      negated: true,
      conditions: [
        { op: 'is', value: 'null' },
        { op: 'in', values: ['1', '2'] },
      ],
    });
    expect(tree.conditions[3]).toMatchObject({ op: 'eq', value: 'x,y' });
    expect(parseLogicTree('not.and', '(a.eq.1,b.cs.{x,y})')).toMatchObject({
      kind: 'and',
      negated: true,
      conditions: [{ value: '1' }, { value: '{x,y}' }],
    });
  });

  it.each(['a.eq.1', '(a.eq.1', '(a.eq.1))', '()', '(a.eq.1;drop table x)x', '(a.zz.1)'])('refuses %j', (text) => {
    expect(refusal(() => parseLogicTree('or', text))).toMatchObject({ status: 400, code: 'PGRST100' });
  });
});

describe('parseOrder, parseColumnList', () => {
  it('reads directions and nulls placement', () => {
    expect(parseOrder('name.desc.nullslast,version,custom_fields->>genre.asc')).toEqual([
      { field: { name: 'name', path: [] }, direction: 'desc', nulls: 'nullslast' },
      { field: { name: 'version', path: [] } },
      { field: { name: 'custom_fields', path: [{ arrow: '->>', key: 'genre' }] }, direction: 'asc' },
    ]);
  });

  it.each(['name.sideways', 'name;drop table publishers', 'name desc', '(select 1)'])('refuses order %j', (text) => {
    expect(refusal(() => parseOrder(text))).toMatchObject({
      status: 400,
      code: 'PGRST100',
      message: `failed to parse order (${text})`,
    });
  });

  it('reads columns and on_conflict, quoted or not', () => {
    expect(parseColumnList('"id","organization_id",name', 'columns parameter')).toEqual([
      'id',
      'organization_id',
      'name',
    ]);
  });

  it.each(['id) do nothing; drop table publishers; --', 'id,', ''])('refuses on_conflict %j', (text) => {
    expect(refusal(() => parseColumnList(text, 'on_conflict parameter'))).toMatchObject({
      status: 400,
      code: 'PGRST100',
    });
  });
});

describe('parseQuery', () => {
  it('splits reserved parameters from filters and AND-s repeated filters', () => {
    const query = parseQuery(
      new URLSearchParams(
        'select=id,name&name=neq.a&name=neq.b&or=(a.eq.1,b.eq.2)&order=name&limit=2&offset=1&on_conflict=id',
      ),
    );
    expect(query.select).toHaveLength(2);
    expect(query.conditions).toHaveLength(3);
    expect(query).toMatchObject({ limit: 2, offset: 1, onConflict: ['id'] });
  });

  it('treats function argument names as rpc arguments', () => {
    const query = parseQuery(new URLSearchParams('org=abc&name=eq.x'), { argumentNames: new Set(['org']) });
    expect(query.rpcArgs).toEqual({ org: 'abc' });
    expect(query.conditions).toHaveLength(1);
  });

  it('keys parameters of embedded resources by their path', () => {
    const query = parseQuery(
      new URLSearchParams(
        'select=*,publishers(*,runs:agent_runs(*))&publishers.name=eq.x&publishers.order=name.desc&publishers.limit=2&publishers.runs.not.or=(a.eq.1)&publishers.runs.offset=1',
      ),
    );
    expect(query.conditions).toEqual([]);
    expect(query.embedded).toEqual({
      publishers: {
        conditions: [{ kind: 'filter', field: { name: 'name', path: [] }, negated: false, op: 'eq', value: 'x' }],
        order: [{ field: { name: 'name', path: [] }, direction: 'desc' }],
        limit: 2,
      },
      'publishers.runs': {
        conditions: [{ kind: 'or', negated: true, conditions: [expect.objectContaining({ op: 'eq' })] }],
        order: [],
        offset: 1,
      },
    });
  });

  it.each(['limit=-1', 'limit=1;', 'offset=x', 'publishers.name=zz.1', 'publishers;x.name=eq.1'])(
    'refuses %j',
    (text) => {
      expect(refusal(() => parseQuery(new URLSearchParams(text)))).toMatchObject({ status: 400, code: 'PGRST100' });
    },
  );
});

describe('headers', () => {
  it('reads Prefer as supabase-js sends it (one header, several values) and ignores the unknown', () => {
    expect(parsePrefer('return=representation,count=exact')).toEqual({ return: 'representation', count: 'exact' });
    expect(
      parsePrefer('resolution=merge-duplicates, missing=default, tx=rollback, handling=loose, return=bogus'),
    ).toEqual({
      resolution: 'merge-duplicates',
      missing: 'default',
      tx: 'rollback',
    });
    // postgrest-js `.maxAffected(2)` appends two Prefer headers.
    expect(parsePrefer(['handling=strict', 'max-affected=2'])).toEqual({ handling: 'strict', maxAffected: 2 });
    expect(parsePrefer('max-affected=-1, max-affected=x')).toEqual({});
    expect(parsePrefer(undefined)).toEqual({});
  });

  it('negotiates single-object and array representations', () => {
    expect(negotiateRepresentation(undefined)).toEqual({ singular: false, stripNulls: false });
    expect(negotiateRepresentation('application/vnd.pgrst.object+json')).toEqual({ singular: true, stripNulls: false });
    expect(negotiateRepresentation('application/vnd.pgrst.array+json;nulls=stripped')).toEqual({
      singular: false,
      stripNulls: true,
    });
    expect(negotiateRepresentation('text/html, */*;q=0.8')).toEqual({ singular: false, stripNulls: false });
    expect(refusal(() => negotiateRepresentation('text/csv'))).toMatchObject({ status: 406, code: 'PGRST107' });
  });

  it('combines the Range header with limit and offset', () => {
    expect(resolvePage(undefined, undefined, undefined)).toEqual({ offset: 0 });
    expect(resolvePage('0-9', undefined, undefined)).toEqual({ offset: 0, limit: 10 });
    expect(resolvePage('5-', undefined, 3)).toEqual({ offset: 5, limit: 3 });
    expect(resolvePage(undefined, 2, 2)).toEqual({ offset: 2, limit: 2 });
    expect(refusal(() => resolvePage('9-1', undefined, undefined))).toMatchObject({ status: 400, code: 'PGRST100' });
  });
});
