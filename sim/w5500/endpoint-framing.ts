/**
 * Framing of the W5500 SPI endpoint (a Unix stream socket): every message is
 *   type (1 byte) | length (2 bytes, big-endian) | payload (length bytes)
 * Byte-exact description and an example exchange: sim/README.md, "SPI endpoint".
 */

export const enum Msg {
  /** client → chip: one chip-select window, payload = MOSI bytes */
  XFER = 0x01,
  /** client → chip: RSTn pulse, empty payload */
  RESET = 0x02,
  /** chip → client: the answer to XFER, payload = MISO bytes (same length as the MOSI) */
  XFER_REPLY = 0x81,
  /** chip → client: INTn level, payload 1 byte: 0x00 low (asserted), 0x01 high */
  INTN = 0x82,
  /** chip → client: RESET done, empty payload */
  RESET_DONE = 0x83,
  /** chip → client: a request failed, payload = UTF-8 text; answers a request in place of its reply */
  ERROR = 0xff,
}

export const MAX_PAYLOAD = 0xffff;

export function encode(type: number, payload: Uint8Array = new Uint8Array(0)): Uint8Array {
  if (payload.length > MAX_PAYLOAD) throw new Error(`payload of ${payload.length} bytes exceeds ${MAX_PAYLOAD}`);
  const out = new Uint8Array(3 + payload.length);
  out[0] = type;
  out[1] = payload.length >> 8;
  out[2] = payload.length & 0xff;
  out.set(payload, 3);
  return out;
}

/** Splits a byte stream into messages; keeps a partial message until the rest arrives. */
export class Deframer {
  private buf = new Uint8Array(0);

  push(chunk: Uint8Array): { type: number; payload: Uint8Array }[] {
    const joined = new Uint8Array(this.buf.length + chunk.length);
    joined.set(this.buf, 0);
    joined.set(chunk, this.buf.length);
    const out: { type: number; payload: Uint8Array }[] = [];
    let at = 0;
    while (joined.length - at >= 3) {
      const len = (joined[at + 1] << 8) | joined[at + 2];
      if (joined.length - at < 3 + len) break;
      out.push({ type: joined[at], payload: joined.slice(at + 3, at + 3 + len) });
      at += 3 + len;
    }
    this.buf = joined.slice(at);
    return out;
  }
}
