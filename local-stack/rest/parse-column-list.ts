import { TextCursor } from './text-cursor.ts';

/** `columns=` and `on_conflict=`: plain or double-quoted column names separated by commas. */
export function parseColumnList(text: string, what: 'columns parameter' | 'on_conflict parameter'): string[] {
  const cursor = new TextCursor(text, what);
  const names: string[] = [];
  for (;;) {
    names.push(cursor.name());
    if (cursor.done) return names;
    cursor.expect(',');
  }
}
