import { z } from 'zod';

/**
 * Phoenix/Realtime wire codecs (protocol reference §1.3–1.4): vsn 1.0.0 object frames, vsn 2.0.0
 * array frames plus binary kind 3 (in) and kind 4 (out). Kinds 0–2 are never sent: realtime-js
 * decodes only kind 4 and throws on anything else (§1.4.3).
 */

export type Vsn = '1.0.0' | '2.0.0';

export type PayloadEncoding = 'binary' | 'json';

/** A Phoenix message, either way: JSON text on either vsn. */
interface PhoenixMessage {
  kind: 'message';
  joinRef: string | null;
  ref: string | null;
  topic: string;
  event: string;
  payload: unknown;
  /** Inbound only: the frame's size on the wire, an upper bound of its payload's size. */
  wireBytes?: number;
}

/**
 * A user broadcast (§3.2): kind 3 in, kind 4 out for vsn 2.0.0, a JSON `broadcast` object out for
 * vsn 1.0.0. JSON payloads are kept as validated UTF-8 JSON text so fan-out never re-serialises them.
 */
export interface OutboundUserBroadcast {
  kind: 'user_broadcast';
  topic: string;
  event: string;
  metadata: Record<string, unknown> | null;
  encoding: PayloadEncoding;
  payload: Uint8Array;
}

/** A client push: JSON text on either vsn. */
export type InboundMessage = PhoenixMessage;

/** A kind-3 binary broadcast push (vsn 2.0.0 `channel.send`), with the refs it was pushed under. */
export type InboundUserBroadcast = OutboundUserBroadcast & { joinRef: string | null; ref: string | null };

export type Inbound = InboundMessage | InboundUserBroadcast;

type OutboundMessage = PhoenixMessage;

export type Outbound = OutboundMessage | OutboundUserBroadcast;

export type DecodeResult = { ok: true; frame: Inbound } | { ok: false; error: string };

const ref = z.union([z.string(), z.null()]);
const v2Frame = z.tuple([ref, ref, z.string(), z.string(), z.unknown()]).rest(z.unknown());
const v1Frame = z.object({
  topic: z.string(),
  event: z.string(),
  payload: z.unknown(),
  ref,
  join_ref: ref.optional(),
});

const KIND_USER_BROADCAST_PUSH = 3;
const KIND_USER_BROADCAST = 4;
const ENCODING_BINARY = 0;
const ENCODING_JSON = 1;

const utf8 = new TextDecoder('utf-8', { fatal: true });
const encoder = new TextEncoder();

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Decodes one WebSocket frame; malformed input yields an error the caller logs and drops (§1.4.2). */
export function decodeFrame(vsn: Vsn, data: Buffer, isBinary: boolean): DecodeResult {
  if (isBinary) {
    if (vsn !== '2.0.0') return { ok: false, error: 'binary frames need vsn 2.0.0' };
    return decodeBinary(data);
  }
  let text: string;
  try {
    text = utf8.decode(data);
  } catch {
    return { ok: false, error: 'text frame is not valid UTF-8' };
  }
  const json = parseJson(text);
  if (!json.ok) return { ok: false, error: 'text frame is not valid JSON' };
  if (vsn === '2.0.0') {
    const parsed = v2Frame.safeParse(json.value);
    if (!parsed.success)
      return { ok: false, error: 'MalformedWebSocketMessage: expected [join_ref, ref, topic, event, payload]' };
    const [joinRef, msgRef, topic, event, payload] = parsed.data;
    return {
      ok: true,
      frame: { kind: 'message', joinRef, ref: msgRef, topic, event, payload, wireBytes: data.length },
    };
  }
  const parsed = v1Frame.safeParse(json.value);
  if (!parsed.success) return { ok: false, error: 'MalformedWebSocketMessage: expected {topic, event, payload, ref}' };
  const { topic, event, payload, ref: msgRef, join_ref: joinRef } = parsed.data;
  return {
    ok: true,
    frame: { kind: 'message', joinRef: joinRef ?? null, ref: msgRef, topic, event, payload, wireBytes: data.length },
  };
}

function decodeBinary(data: Buffer): DecodeResult {
  const kind = data[0];
  if (kind !== KIND_USER_BROADCAST_PUSH) return { ok: false, error: `unsupported binary frame kind ${String(kind)}` };
  const headerLength = 7;
  if (data.length < headerLength) return { ok: false, error: 'binary frame header is truncated' };
  const [joinRefLen, refLen, topicLen, eventLen, metaLen, encodingByte] = [
    data[1]!,
    data[2]!,
    data[3]!,
    data[4]!,
    data[5]!,
    data[6]!,
  ];
  if (encodingByte !== ENCODING_BINARY && encodingByte !== ENCODING_JSON) {
    return { ok: false, error: `unknown payload encoding ${encodingByte}` };
  }
  let offset = headerLength;
  const end = offset + joinRefLen + refLen + topicLen + eventLen + metaLen;
  if (end > data.length) return { ok: false, error: 'binary frame is shorter than its header says' };
  const field = (length: number): string => {
    const value = utf8.decode(data.subarray(offset, offset + length));
    offset += length;
    return value;
  };
  let joinRef: string;
  let msgRef: string;
  let topic: string;
  let event: string;
  let metaText: string;
  try {
    joinRef = field(joinRefLen);
    msgRef = field(refLen);
    topic = field(topicLen);
    event = field(eventLen);
    metaText = field(metaLen);
  } catch {
    return { ok: false, error: 'binary frame header field is not valid UTF-8' };
  }
  let metadata: Record<string, unknown> | null = null;
  if (metaText !== '') {
    const meta = parseJson(metaText);
    if (!meta.ok || !isPlainObject(meta.value))
      return { ok: false, error: 'binary frame metadata is not a JSON object' };
    metadata = meta.value;
  }
  const payload = new Uint8Array(data.subarray(offset));
  const encoding: PayloadEncoding = encodingByte === ENCODING_JSON ? 'json' : 'binary';
  // realtime-js JSON.parses kind-4 JSON payloads in its message handler, where a throw would break
  // every subscriber's socket: invalid JSON never enters the fan-out.
  if (encoding === 'json' && !isValidJsonBytes(payload))
    return { ok: false, error: 'binary frame JSON payload is not valid JSON' };
  return {
    ok: true,
    frame: {
      kind: 'user_broadcast',
      joinRef: joinRef === '' ? null : joinRef,
      ref: msgRef === '' ? null : msgRef,
      topic,
      event,
      metadata,
      encoding,
      payload,
    },
  };
}

function isValidJsonBytes(bytes: Uint8Array): boolean {
  try {
    JSON.parse(utf8.decode(bytes));
    return true;
  } catch {
    return false;
  }
}

export function jsonBytes(value: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(value));
}

/** The decoded form of a user broadcast, as realtime-js hands it to listeners (§3.2). */
function userBroadcastObject(message: OutboundUserBroadcast): Record<string, unknown> | null {
  if (message.encoding === 'binary') return null;
  const payload = JSON.parse(utf8.decode(message.payload)) as unknown;
  return {
    type: 'broadcast',
    event: message.event,
    payload,
    ...(message.metadata ? { meta: message.metadata } : {}),
  };
}

/** Encodes for one socket; `null` means this vsn cannot carry it (binary payloads on V1 are dropped, §3.2). */
export function encodeFrame(vsn: Vsn, message: Outbound): string | Buffer | null {
  if (message.kind === 'user_broadcast') {
    const binary = vsn === '2.0.0' ? encodeUserBroadcast(message) : null;
    if (binary) return binary;
    const object = userBroadcastObject(message);
    if (!object) return null;
    if (vsn === '2.0.0') return JSON.stringify([null, null, message.topic, 'broadcast', object]);
    return JSON.stringify({ topic: message.topic, event: 'broadcast', payload: object, ref: null });
  }
  if (vsn === '2.0.0')
    return JSON.stringify([message.joinRef, message.ref, message.topic, message.event, message.payload]);
  // V1 never sends join_ref (§1.4.1).
  return JSON.stringify({ topic: message.topic, event: message.event, payload: message.payload, ref: message.ref });
}

function encodeUserBroadcast(message: OutboundUserBroadcast): Buffer | null {
  const topic = Buffer.from(message.topic, 'utf8');
  const event = Buffer.from(message.event, 'utf8');
  const metadata = Buffer.from(message.metadata ? JSON.stringify(message.metadata) : '', 'utf8');
  // Header lengths are single bytes (§1.4.3); longer fields go out as a JSON text broadcast instead.
  if (topic.length > 255 || event.length > 255 || metadata.length > 255) return null;
  const header = Buffer.from([
    KIND_USER_BROADCAST,
    topic.length,
    event.length,
    metadata.length,
    message.encoding === 'json' ? ENCODING_JSON : ENCODING_BINARY,
  ]);
  return Buffer.concat([header, topic, event, metadata, message.payload]);
}

/** How a broadcast reaches a subscriber of `topic` (§3.2): a `broadcast` push, or a user broadcast (kind 4 on vsn 2.0.0). */
export function broadcastMessage(
  topic: string,
  delivery: { kind: 'json_broadcast'; payload: Record<string, unknown> } | Omit<OutboundUserBroadcast, 'topic'>,
): Outbound {
  if (delivery.kind === 'json_broadcast')
    return { kind: 'message', joinRef: null, ref: null, topic, event: 'broadcast', payload: delivery.payload };
  const { event, metadata, encoding, payload } = delivery;
  return { kind: 'user_broadcast', topic, event, metadata, encoding, payload };
}
