import type { Field, JsonArrow } from './api-request.ts';
import type { TextCursor } from './text-cursor.ts';

const INDEX = /^-?\d+/;

/** `name`, `"quoted name"`, then any `->key` / `->>key` steps (`->>` only last, as its result is text). */
export function parseField(cursor: TextCursor): Field {
  const name = cursor.name();
  const path: { arrow: JsonArrow; key: string }[] = [];
  while (cursor.startsWith('->')) {
    if (path.at(-1)?.arrow === '->>') throw cursor.fail('"->>" must be the last step of a JSON path');
    const arrow: JsonArrow = cursor.eat('->>') ? '->>' : '->';
    if (arrow === '->') cursor.expect('->');
    const index = INDEX.exec(cursor.text.slice(cursor.pos));
    if (index) {
      cursor.pos += index[0].length;
      path.push({ arrow, key: index[0] });
    } else {
      path.push({ arrow, key: cursor.name('a JSON key') });
    }
  }
  return { name, path };
}
