import type { Delivery } from './broker.ts';
import { broadcastMessage, encodeFrame, type Outbound, type Vsn } from './serializer.ts';

/** A frame ready for the wire: the bytes and the `ws` send options (binary or text frame). */
export interface WireFrame {
  data: Buffer;
  options: { readonly binary: boolean };
}

// Shared option objects: `ws.send` reads them, so one per kind saves an allocation per delivery.
const BINARY = { binary: true } as const;
const TEXT = { binary: false } as const;

/**
 * The frames of one fan-out, encoded once per wire format and shared by every subscriber.
 * RATIONALE: every subscriber of a namespace sees the same topic and bytes, so encoding per
 * subscriber (JSON.stringify, then UTF-8 for text frames) is the same work repeated N times; at
 * 1000 subscribers it dominated the fan-out. Keyed by topic too, so a subscriber that renders
 * another topic never gets a frame meant for one.
 */
export class SharedFrames {
  private readonly byTopic = new Map<string, Partial<Record<Vsn, WireFrame | null>>>();

  constructor(private readonly delivery: Delivery) {}

  /** The delivery's frame for a subscriber of `topic` on `vsn`; `null` when that vsn cannot carry it (§3.2). */
  get(vsn: Vsn, topic: string): WireFrame | null {
    let formats = this.byTopic.get(topic);
    if (!formats) this.byTopic.set(topic, (formats = {}));
    let frame = formats[vsn];
    if (frame === undefined) formats[vsn] = frame = toWireFrame(encodeFrame(vsn, render(topic, this.delivery)));
    return frame;
  }
}

/** What a subscriber of `topic` is sent for a delivery: a broadcast (§3.2) or a `presence_diff` push (§4.2). */
function render(topic: string, delivery: Delivery): Outbound {
  if (delivery.kind === 'presence_diff')
    return { kind: 'message', joinRef: null, ref: null, topic, event: 'presence_diff', payload: delivery.diff };
  return broadcastMessage(topic, delivery);
}

export function toWireFrame(encoded: string | Buffer | null): WireFrame | null {
  if (encoded === null) return null;
  return typeof encoded === 'string'
    ? { data: Buffer.from(encoded, 'utf8'), options: TEXT }
    : { data: encoded, options: BINARY };
}
