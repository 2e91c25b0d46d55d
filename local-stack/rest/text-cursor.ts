import { parseError, type PostgrestError } from './postgrest-error.ts';

const NAME_CHAR = /[\p{L}\p{N}_$]/u;

/** A position in one query-parameter value, for the small recursive-descent parsers. */
export class TextCursor {
  pos = 0;

  constructor(
    readonly text: string,
    /** What is being parsed, for PGRST100's "failed to parse <what> (<text>)". */
    readonly what: string,
  ) {}

  get done(): boolean {
    return this.pos >= this.text.length;
  }

  peek(offset = 0): string | undefined {
    return this.text[this.pos + offset];
  }

  startsWith(token: string): boolean {
    return this.text.startsWith(token, this.pos);
  }

  eat(token: string): boolean {
    if (!this.startsWith(token)) return false;
    this.pos += token.length;
    return true;
  }

  expect(token: string): void {
    if (!this.eat(token)) throw this.fail(`expected "${token}"`);
  }

  rest(): string {
    const rest = this.text.slice(this.pos);
    this.pos = this.text.length;
    return rest;
  }

  /** A PGRST100 error pointing at the current position. */
  fail(expected: string): PostgrestError {
    const found = this.done ? 'end of input' : `"${this.peek()}"`;
    return parseError(this.what, this.text, `unexpected ${found} at position ${this.pos + 1}, ${expected}`);
  }

  /** An unquoted name (letters, digits, `_`, `$`) or a double-quoted one with `\` escapes. */
  name(description = 'a column name'): string {
    if (this.peek() === '"') return this.quoted(description);
    const start = this.pos;
    while (!this.done && NAME_CHAR.test(this.peek()!)) this.pos++;
    if (this.pos === start) throw this.fail(`expected ${description}`);
    return this.text.slice(start, this.pos);
  }

  /** `"…"` with `\"` and `\\` escapes; must not be empty. */
  quoted(description: string): string {
    this.expect('"');
    let value = '';
    for (;;) {
      const ch = this.peek();
      if (ch === undefined) throw this.fail(`expected a closing quote in ${description}`);
      this.pos++;
      if (ch === '"') break;
      if (ch === '\\' && this.peek() !== undefined) {
        value += this.peek();
        this.pos++;
      } else {
        value += ch;
      }
    }
    if (value === '') throw this.fail(`expected ${description}`);
    return value;
  }
}
