import { encodeFrame, type Outbound, type Vsn } from './serializer.ts';

/** A frame ready for the wire: the bytes and whether they go out as a binary or a text frame. */
export interface WireFrame {
  data: Buffer;
  binary: boolean;
}

/**
 * The frames of one fan-out, encoded once per wire format and shared by every subscriber.
 * RATIONALE: every subscriber of a namespace sees the same topic and bytes, so encoding per
 * subscriber (JSON.stringify, then UTF-8 for text frames) is the same work repeated N times; at
 * 1000 subscribers it dominated the fan-out. Keyed by topic too, so a subscriber that renders
 * another topic never gets a frame meant for one.
 */
export class SharedFrames {
  private readonly frames = new Map<string, WireFrame | null>();

  /** The frame of `message` for `vsn`, encoded on first use; `null` when that vsn cannot carry it (§3.2). */
  get(vsn: Vsn, message: Outbound): WireFrame | null {
    const key = `${vsn}\u0000${message.topic}`;
    let frame = this.frames.get(key);
    if (frame === undefined) {
      frame = toWireFrame(encodeFrame(vsn, message));
      this.frames.set(key, frame);
    }
    return frame;
  }
}

export function toWireFrame(encoded: string | Buffer | null): WireFrame | null {
  if (encoded === null) return null;
  return typeof encoded === 'string' ? { data: Buffer.from(encoded, 'utf8'), binary: false } : { data: encoded, binary: true };
}
