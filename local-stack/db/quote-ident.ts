/**
 * Quotes an identifier for SQL. Only ever called with names read back from the catalog (tables,
 * columns, functions, argument names), never with request text; it still refuses anything a
 * catalog name cannot be, so a mistake upstream fails loudly instead of reaching SQL.
 */
export function quoteIdent(name: string): string {
  if (name === '' || name.includes('\0') || Buffer.byteLength(name, 'utf8') > 63) {
    throw new Error(`Refusing to quote an identifier that cannot come from the catalog: ${JSON.stringify(name)}`);
  }
  return `"${name.replaceAll('"', '""')}"`;
}
