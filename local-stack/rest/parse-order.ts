import type { OrderTerm } from './api-request.ts';
import { parseField } from './parse-field.ts';
import { TextCursor } from './text-cursor.ts';

/** `order=col.desc.nullslast,other` — each term a column (JSON paths allowed) with optional direction and nulls. */
export function parseOrder(text: string): OrderTerm[] {
  const cursor = new TextCursor(text, 'order');
  const terms: OrderTerm[] = [];
  for (;;) {
    const term: OrderTerm = { field: parseField(cursor) };
    while (cursor.eat('.')) {
      if (cursor.eat('asc')) term.direction = 'asc';
      else if (cursor.eat('desc')) term.direction = 'desc';
      else if (cursor.eat('nullsfirst')) term.nulls = 'nullsfirst';
      else if (cursor.eat('nullslast')) term.nulls = 'nullslast';
      else throw cursor.fail('expected asc, desc, nullsfirst or nullslast');
    }
    terms.push(term);
    if (cursor.done) return terms;
    cursor.expect(',');
  }
}
