import { describe, expect, it } from 'vitest';
import {
  chooseFunction,
  closestMatch,
  findRelationship,
  PostgrestError,
  topLevelTargets,
  type FunctionInfo,
  type Relationship,
} from '../../local-stack/rest/index.ts';

function fn(args: [name: string, type: string, hasDefault?: boolean][]): FunctionInfo {
  return {
    schema: 'public',
    name: 'f',
    args: args.map(([name, type, hasDefault = false]) => ({ name, type, has_default: hasDefault })),
    returns_set: false,
    return_kind: 'b',
    return_type: 'integer',
    result_columns: [],
    return_relation: null,
    volatility: 'v',
  };
}

function failure(run: () => unknown): PostgrestError {
  try {
    run();
  } catch (error) {
    if (error instanceof PostgrestError) return error;
    throw error;
  }
  throw new Error('expected a PostgrestError');
}

describe('chooseFunction (PostgREST overload resolution)', () => {
  const none = fn([]);
  const unnamedText = fn([['', 'text']]);
  const named = fn([
    ['a', 'integer'],
    ['b', 'text', true],
  ]);

  it('matches the keys to required and optional parameters', () => {
    expect(chooseFunction('public', 'f', [none, named], ['a'], true)).toBe(named);
    expect(chooseFunction('public', 'f', [none, named], ['a', 'b'], true)).toBe(named);
    expect(chooseFunction('public', 'f', [none, named], [], true)).toBe(none);
    expect(failure(() => chooseFunction('public', 'f', [named], ['b'], true)).code).toBe('PGRST202');
  });

  it('reaches a single unnamed parameter with the key ""', () => {
    expect(chooseFunction('public', 'f', [none, unnamedText], [''], true)).toBe(unnamedText);
  });

  it('falls back to a single json parameter for a POST whose keys match nothing', () => {
    const json = fn([['payload', 'jsonb']]);
    expect(chooseFunction('public', 'f', [json], ['anything'], true)).toBe(json);
    expect(failure(() => chooseFunction('public', 'f', [json], ['anything'], false)).code).toBe('PGRST202');
  });

  it('lists ambiguous candidates with fewer parameters first', () => {
    const error = failure(() => chooseFunction('public', 'f', [fn([['', 'text', true]]), none], [], true));
    expect(error.status).toBe(300);
    expect(error.message).toBe('Could not choose the best candidate function between: public.f(), public.f( => text)');
  });

  it('words PGRST202 as PostgREST does, with a hint from the closest name or parameter list', () => {
    const missing = failure(() => chooseFunction('public', 'tset', [], ['x'], true, ['test', 'other']));
    expect(missing.toJSON()).toEqual({
      code: 'PGRST202',
      message: 'Could not find the function public.tset(x) in the schema cache',
      details:
        'Searched for the function public.tset with parameter x or with a single unnamed json/jsonb parameter, but no matches were found in the schema cache.',
      hint: 'Perhaps you meant to call the function public.test',
    });
    const params = failure(() => chooseFunction('public', 'f', [named], ['aa', 'bb'], false));
    expect(params.details).toBe(
      'Searched for the function public.f with parameters aa, bb, but no matches were found in the schema cache.',
    );
    expect(params.hint).toBe('Perhaps you meant to call the function public.f(a, b)');
  });
});

describe('closestMatch (the "Perhaps you meant" fuzzy match)', () => {
  it('suggests the most similar candidate, none below a third, never the name itself', () => {
    expect(closestMatch('testt', ['test', 'another'])).toBe('test');
    expect(closestMatch('other', ['test', 'another'])).toBe('another');
    expect(closestMatch('noclosealternative', ['test', 'another'])).toBeUndefined();
    expect(closestMatch('test', ['test'])).toBeUndefined();
  });
});

describe('findRelationship (PostgREST embed target and hint rules)', () => {
  const fk = (
    table: string,
    foreignTable: string,
    constraint: string,
    cardinality: 'many-to-one' | 'one-to-many',
    columns: [string, string][],
  ): Relationship => ({
    kind: 'fk',
    table,
    foreignTable,
    constraint,
    cardinality,
    columns,
    isSelf: table === foreignTable,
    foreignIsView: false,
  });
  const all: Relationship[] = [
    fk('folders', 'folders', 'folders_parent_fkey', 'many-to-one', [['parent', 'id']]),
    fk('folders', 'folders', 'folders_parent_fkey', 'one-to-many', [['id', 'parent']]),
    fk('posts', 'users', 'posts_author_fkey', 'many-to-one', [['author', 'name']]),
    fk('posts', 'users', 'posts_editor_fkey', 'many-to-one', [['editor', 'name']]),
    { kind: 'computed', table: 'users', function: 'posts', foreignTable: 'posts', single: false },
  ];
  const find = (parent: string, target: string, hint?: string) => findRelationship('public', all, parent, target, hint);

  it('reaches a self-reference by table name (children) or by its column (the parent)', () => {
    expect(find('folders', 'folders')).toMatchObject({ cardinality: 'one-to-many' });
    expect(find('folders', 'parent')).toMatchObject({ cardinality: 'many-to-one' });
    expect(find('folders', 'folders', 'parent')).toMatchObject({ cardinality: 'one-to-many' });
    expect(failure(() => find('folders', 'folders', 'folders_parent_fkey')).code).toBe('PGRST200');
  });

  it('disambiguates by constraint or column, and answers PGRST201 with both candidates otherwise', () => {
    expect(find('posts', 'users', 'posts_editor_fkey')).toMatchObject({ constraint: 'posts_editor_fkey' });
    expect(find('posts', 'users', 'author')).toMatchObject({ constraint: 'posts_author_fkey' });
    expect(find('posts', 'editor')).toMatchObject({ constraint: 'posts_editor_fkey' });
    const ambiguous = failure(() => find('posts', 'users'));
    expect(ambiguous.status).toBe(300);
    expect(ambiguous.details).toEqual([
      {
        cardinality: 'many-to-one',
        embedding: 'posts with users',
        relationship: 'posts_author_fkey using posts(author) and users(name)',
      },
      {
        cardinality: 'many-to-one',
        embedding: 'posts with users',
        relationship: 'posts_editor_fkey using posts(editor) and users(name)',
      },
    ]);
  });

  it('finds a computed relationship by its function name', () => {
    expect(find('users', 'posts')).toMatchObject({ kind: 'computed', function: 'posts' });
  });
});

describe('topLevelTargets (column origins of a view)', () => {
  // Trimmed from a real pg_rewrite.ev_action: two plain columns and a scalar subquery, whose own
  // target list (resno 1, no origin) must not be taken for the view's first column.
  const tree =
    '({QUERY :commandType 1 :rtable ({RANGETBLENTRY :alias <> :relid 1259}) :targetList (' +
    '{TARGETENTRY :expr {VAR :varno 3 :varattno 2} :resno 1 :resname name :ressortgroupref 0 :resorigtbl 1259 :resorigcol 2 :resjunk false} ' +
    '{TARGETENTRY :expr {VAR :varno 3 :varattno 1} :resno 2 :resname ident\\ ifier :ressortgroupref 0 :resorigtbl 1259 :resorigcol 1 :resjunk false} ' +
    '{TARGETENTRY :expr {SUBLINK :subselect {QUERY :targetList ({TARGETENTRY :expr {CONST :constvalue 4 [ 1 0 0 0 ]} :resno 1 :resname ?column? :resorigtbl 0 :resorigcol 0 :resjunk false})}} ' +
    ':resno 3 :resname x :ressortgroupref 0 :resorigtbl 0 :resorigcol 0 :resjunk false}) :override 0})';

  it('reads each output column and the table column it references, skipping nested queries', () => {
    expect(topLevelTargets(tree)).toEqual([
      { resname: 'name', table: 1259, column: 2, junk: false },
      { resname: 'ident ifier', table: 1259, column: 1, junk: false },
      { resname: 'x', table: 0, column: 0, junk: false },
    ]);
  });
});
