import {
  FTS_OPERATORS,
  QUANTIFIABLE_OPERATORS,
  SIMPLE_OPERATORS,
  type Condition,
  type Filter,
  type FtsOperator,
  type IsValue,
  type LogicTree,
  type Operation,
  type QuantifiableOperator,
  type SimpleOperator,
} from './api-request.ts';
import { parseField } from './parse-field.ts';
import { TextCursor } from './text-cursor.ts';

const IS_VALUES: readonly IsValue[] = ['null', 'not_null', 'true', 'false', 'unknown'];
const OPERATOR_WORD = /^[a-z]+/;
const LANGUAGE = /^[A-Za-z_]+/;
const IS_VALUE = /^(not_null|null|true|false|unknown)/i;

const includes = <T extends string>(list: readonly T[], word: string): word is T =>
  (list as readonly string[]).includes(word);

/** `like`/`ilike` accept `*` for `%`, so patterns survive URLs unescaped (as in PostgREST). */
const likePattern = (op: string, value: string) =>
  op === 'like' || op === 'ilike' ? value.replaceAll('*', '%') : value;

/**
 * A value inside a logic tree ends at `,` or `)` unless it is double-quoted or a `{…}` array literal.
 * At the top level (`col=eq.<value>`) the value is the rest of the parameter, commas and all.
 */
function parseValue(cursor: TextCursor, inTree: boolean): string {
  if (!inTree) return cursor.rest();
  if (cursor.peek() === '"') return cursor.quoted('a quoted value');
  const start = cursor.pos;
  if (cursor.peek() === '{') {
    let quoted = false;
    while (!cursor.done) {
      const ch = cursor.peek();
      cursor.pos++;
      if (ch === '\\') cursor.pos++;
      else if (ch === '"') quoted = !quoted;
      else if (ch === '}' && !quoted) return cursor.text.slice(start, cursor.pos);
    }
    throw cursor.fail('expected "}" closing the array literal');
  }
  while (!cursor.done && cursor.peek() !== ',' && cursor.peek() !== ')') cursor.pos++;
  return cursor.text.slice(start, cursor.pos);
}

/** `(a,"b,c",d)` — the list of `in.`; quoted elements may hold `,` `(` `)`. */
function parseList(cursor: TextCursor): string[] {
  cursor.expect('(');
  const values: string[] = [];
  if (cursor.eat(')')) return values;
  for (;;) {
    if (cursor.peek() === '"') {
      values.push(cursor.quoted('a quoted list element'));
    } else {
      const start = cursor.pos;
      while (!cursor.done && cursor.peek() !== ',' && cursor.peek() !== ')') cursor.pos++;
      values.push(cursor.text.slice(start, cursor.pos));
    }
    if (cursor.eat(')')) return values;
    cursor.expect(',');
  }
}

/** `[not.]op[(any|all)|(language)].value` after the column. */
function parseOperation(cursor: TextCursor, inTree: boolean): { negated: boolean } & Operation {
  const negated = cursor.eat('not.');
  const word = OPERATOR_WORD.exec(cursor.text.slice(cursor.pos))?.[0] ?? '';
  cursor.pos += word.length;
  if (word === 'in') {
    cursor.expect('.');
    return { negated, op: 'in', values: parseList(cursor) };
  }
  if (word === 'is') {
    cursor.expect('.');
    const word = IS_VALUE.exec(cursor.text.slice(cursor.pos))?.[0] ?? '';
    const value = word.toLowerCase();
    if (!includes(IS_VALUES, value)) throw cursor.fail('expected null, not_null, true, false or unknown after "is."');
    cursor.pos += word.length;
    return { negated, op: 'is', value };
  }
  if (includes<QuantifiableOperator>(QUANTIFIABLE_OPERATORS, word)) {
    let quantifier: 'any' | 'all' | undefined;
    if (cursor.eat('(any)')) quantifier = 'any';
    else if (cursor.eat('(all)')) quantifier = 'all';
    cursor.expect('.');
    const value = likePattern(word, parseValue(cursor, inTree));
    return { negated, op: word, value, ...(quantifier ? { quantifier } : {}) };
  }
  if (includes<SimpleOperator>(SIMPLE_OPERATORS, word)) {
    cursor.expect('.');
    return { negated, op: word, value: parseValue(cursor, inTree) };
  }
  if (includes<FtsOperator>(FTS_OPERATORS, word)) {
    let language: string | undefined;
    if (cursor.eat('(')) {
      language = LANGUAGE.exec(cursor.text.slice(cursor.pos))?.[0];
      if (!language) throw cursor.fail('expected a text search configuration name');
      cursor.pos += language.length;
      cursor.expect(')');
    }
    cursor.expect('.');
    return { negated, op: word, value: parseValue(cursor, inTree), ...(language ? { language } : {}) };
  }
  throw cursor.fail(
    word ? `unknown operator "${word}"` : 'expected an operator (eq, neq, gt, gte, lt, lte, like, ilike, in, is, …)',
  );
}

/** A top-level filter: query parameter `column` with value `[not.]op.value`. */
export function parseFilter(column: string, value: string): Filter {
  const fieldCursor = new TextCursor(column, 'filter');
  const field = parseField(fieldCursor);
  if (!fieldCursor.done) throw fieldCursor.fail('expected the end of the column name');
  const cursor = new TextCursor(value, 'filter');
  const operation = parseOperation(cursor, false);
  if (!cursor.done) throw cursor.fail('expected the end of the filter');
  return { kind: 'filter', field, ...operation };
}

function parseConditions(cursor: TextCursor): Condition[] {
  cursor.expect('(');
  const conditions: Condition[] = [];
  for (;;) {
    conditions.push(parseCondition(cursor));
    if (cursor.eat(')')) return conditions;
    cursor.expect(',');
  }
}

function parseCondition(cursor: TextCursor): Condition {
  for (const [prefix, kind, negated] of [
    ['and(', 'and', false],
    ['or(', 'or', false],
    ['not.and(', 'and', true],
    ['not.or(', 'or', true],
  ] as const) {
    if (cursor.startsWith(prefix)) {
      cursor.pos += prefix.length - 1;
      return { kind, negated, conditions: parseConditions(cursor) };
    }
  }
  const field = parseField(cursor);
  cursor.expect('.');
  return { kind: 'filter', field, ...parseOperation(cursor, true) };
}

/** `or=(a.eq.1,b.gt.2,and(c.is.null,d.in.(x,y)))`, also `and=`, `not.or=`, `not.and=`. */
export function parseLogicTree(key: 'and' | 'or' | 'not.and' | 'not.or', value: string): LogicTree {
  const cursor = new TextCursor(value, 'logic tree');
  const conditions = parseConditions(cursor);
  if (!cursor.done) throw cursor.fail('expected the end of the logic tree');
  return { kind: key.endsWith('or') ? 'or' : 'and', negated: key.startsWith('not.'), conditions };
}
