/**
 * The Realtime topics a page's socket holds, read from the frames Chromium sees (Playwright's
 * WebSocket events): a topic is held from the server's `ok` reply to its `phx_join` until the
 * client's `phx_leave`, the server's `phx_close`/`phx_error`, or the socket's close. Frames are
 * the Phoenix V2 JSON arrays `[join_ref, ref, topic, event, payload]`; binary (broadcast) frames
 * carry no join state and are skipped.
 */
import type { Page, WebSocket } from 'playwright-core';

export interface SocketTopics {
  /** Topics joined now, on every socket of the page (without the `realtime:` prefix). */
  held(): string[];
}

type Frame = [string | null, string | null, string, string, { status?: string } | undefined];

function parse(payload: string | Buffer): Frame | null {
  if (typeof payload !== 'string') return null;
  try {
    const frame: unknown = JSON.parse(payload);
    return Array.isArray(frame) && frame.length === 5 ? (frame as Frame) : null;
  } catch {
    return null;
  }
}

/** Starts watching every socket the page opens from now on (call before the page connects). */
export function watchSocketTopics(page: Page): SocketTopics {
  const sockets = new Map<WebSocket, { joining: Map<string, string>; joined: Set<string> }>();
  page.on('websocket', (ws) => {
    const state = { joining: new Map<string, string>(), joined: new Set<string>() };
    sockets.set(ws, state);
    ws.on('framesent', ({ payload }) => {
      const frame = parse(payload);
      if (!frame) return;
      const [, ref, topic, event] = frame;
      if (event === 'phx_join' && ref) state.joining.set(ref, topic);
      if (event === 'phx_leave') state.joined.delete(topic);
    });
    ws.on('framereceived', ({ payload }) => {
      const frame = parse(payload);
      if (!frame) return;
      const [, ref, topic, event, body] = frame;
      if (event === 'phx_reply' && ref && state.joining.has(ref)) {
        if (body?.status === 'ok') state.joined.add(state.joining.get(ref)!);
        state.joining.delete(ref);
      }
      if (event === 'phx_close' || event === 'phx_error') state.joined.delete(topic);
    });
    ws.on('close', () => sockets.delete(ws));
  });
  return {
    held: () =>
      [...sockets.values()]
        .flatMap((s) => [...s.joined])
        .map((topic) => topic.replace(/^realtime:/, ''))
        .sort(),
  };
}
