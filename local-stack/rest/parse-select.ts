import {
  AGGREGATE_FUNCTIONS,
  CAST_TYPES,
  type AggregateFunction,
  type CastType,
  type SelectItem,
} from './api-request.ts';
import { parseField } from './parse-field.ts';
import { TextCursor } from './text-cursor.ts';

const CAST_NAME = /^[a-z0-9_]+/;

function isCastType(name: string): name is CastType {
  return (CAST_TYPES as readonly string[]).includes(name);
}

function parseItems(cursor: TextCursor, nested: boolean): SelectItem[] {
  const items: SelectItem[] = [];
  for (;;) {
    items.push(parseItem(cursor));
    if (cursor.eat(',')) continue;
    if (nested ? cursor.peek() === ')' : cursor.done) return items;
    throw cursor.fail(nested ? 'expected "," or ")"' : 'expected "," or the end of the select list');
  }
}

function parseCast(cursor: TextCursor): CastType | undefined {
  if (!cursor.eat('::')) return undefined;
  const match = CAST_NAME.exec(cursor.text.slice(cursor.pos));
  const type = match?.[0] ?? '';
  if (!isCastType(type)) throw cursor.fail(`expected a cast to one of ${CAST_TYPES.join(', ')}`);
  cursor.pos += type.length;
  return type;
}

/** `.sum()`, `.avg()`, `.count()`, `.max()`, `.min()` after a field. */
function parseAggregate(cursor: TextCursor): AggregateFunction | undefined {
  for (const fn of AGGREGATE_FUNCTIONS) if (cursor.eat(`.${fn}()`)) return fn;
  return undefined;
}

function parseItem(cursor: TextCursor): SelectItem {
  if (cursor.eat('*')) return { kind: 'star' };
  if (cursor.eat('...')) {
    const item = parseItem(cursor);
    if (item.kind !== 'embed') throw cursor.fail('expected an embedded resource after "..."');
    return { ...item, spread: true };
  }
  const start = cursor.pos;
  let alias: string | undefined;
  const first = cursor.name();
  if (cursor.peek() === ':' && cursor.peek(1) !== ':') {
    cursor.pos++;
    alias = first;
  } else {
    cursor.pos = start;
  }
  const afterAlias = cursor.pos;
  if (cursor.eat('count()')) {
    const aggregateCast = parseCast(cursor);
    return {
      kind: 'column',
      field: { name: '*', path: [] },
      aggregate: 'count',
      ...(alias !== undefined ? { alias } : {}),
      ...(aggregateCast !== undefined ? { aggregateCast } : {}),
    };
  }
  const name = cursor.name();
  if (cursor.peek() === '(' || cursor.peek() === '!') {
    let hint: string | undefined;
    let inner = false;
    while (cursor.eat('!')) {
      const word = cursor.name('an embed hint');
      if (word === 'inner') inner = true;
      else if (word === 'left') inner = false;
      else hint = word;
    }
    cursor.expect('(');
    const select: SelectItem[] = cursor.peek() === ')' ? [] : parseItems(cursor, true);
    cursor.expect(')');
    return {
      kind: 'embed',
      relation: name,
      inner,
      select,
      ...(alias !== undefined ? { alias } : {}),
      ...(hint !== undefined ? { hint } : {}),
    };
  }
  cursor.pos = afterAlias;
  const field = parseField(cursor);
  const cast = parseCast(cursor);
  const aggregate = parseAggregate(cursor);
  const aggregateCast = aggregate ? parseCast(cursor) : undefined;
  return {
    kind: 'column',
    field,
    ...(alias !== undefined ? { alias } : {}),
    ...(cast !== undefined ? { cast } : {}),
    ...(aggregate !== undefined ? { aggregate } : {}),
    ...(aggregateCast !== undefined ? { aggregateCast } : {}),
  };
}

/**
 * The `select` parameter: `*`, `col`, `alias:col`, `col->key`, `col->>key`, `col::text`,
 * aggregates `col.sum()`, `count()`, and embeds `relation(cols)` (parsed here; the builder
 * decides whether it can serve them).
 */
export function parseSelect(text: string): SelectItem[] {
  const cursor = new TextCursor(text, 'select parameter');
  if (text === '') return [{ kind: 'star' }];
  return parseItems(cursor, false);
}
