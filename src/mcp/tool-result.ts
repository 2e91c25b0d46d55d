import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';

/** A tool's answer: a short sentence for the model, and the same facts as structured content. */
export function answer(text: string, data: Record<string, unknown>): CallToolResult {
  return { content: [{ type: 'text', text: `${text}\n${JSON.stringify(data)}` }], structuredContent: data };
}

/**
 * A refusal, with the server's own reason and code: the database's (RLS 42501, the lifecycle's
 * PT409 such as "it was cancelled", PT404) or the bridge's. An MCP client shows it to the model
 * as a failed call (`isError`), not as a broken server.
 */
export function refused(action: string, error: unknown): CallToolResult {
  const { code, message } = describe(error);
  return {
    isError: true,
    content: [{ type: 'text', text: `${action} was refused${code ? ` (${code})` : ''}: ${message}` }],
    structuredContent: { refused: true, code: code ?? null, message },
  };
}

function describe(error: unknown): { code?: string; message: string } {
  if (typeof error === 'object' && error !== null) {
    const record = error as { code?: unknown; message?: unknown };
    const message = typeof record.message === 'string' ? record.message : JSON.stringify(error);
    return typeof record.code === 'string' && record.code ? { code: record.code, message } : { message };
  }
  return { message: String(error) };
}
