/**
 * SOCK_SEQPACKET framing over a TCP byte stream (docs/socket-semantics.md §6): every message is a
 * 4-byte big-endian unsigned length followed by that many payload bytes. A zero-length message is
 * a valid message. Pure and shared by the firmware and by host-side peers (tools/seqpacket-peer.ts).
 */

export const enum Framing {
  HEADER = 4,
  /** largest length the header can carry */
  MAX_LENGTH = 0xffffffff,
}

export function writeHeader(out: Uint8Array, off: number, len: number): void {
  out[off] = (len >>> 24) & 255;
  out[off + 1] = (len >>> 16) & 255;
  out[off + 2] = (len >>> 8) & 255;
  out[off + 3] = len & 255;
}

export function readHeader(b: Uint8Array, off: number): number {
  return ((b[off] << 24) | (b[off + 1] << 16) | (b[off + 2] << 8) | b[off + 3]) >>> 0;
}

/** one message, framed: header then `len` bytes of `buf` from `off` */
export function frameMessage(buf: Uint8Array, off: number, len: number): Uint8Array {
  const out = new Uint8Array(Framing.HEADER + len);
  writeHeader(out, 0, len);
  out.set(buf.subarray(off, off + len), Framing.HEADER);
  return out;
}

/**
 * Reassembles one message at a time from stream bytes. Keeps at most `maxKeep` bytes of a message;
 * the rest of a longer one is received and dropped, and `truncated()` says so. The caller asks
 * where bytes go (`space`), writes them there, then `commit`s; nothing is copied twice.
 */
export class MessageReader {
  private hdr = new Uint8Array(Framing.HEADER);
  private hdrGot = 0;
  private len = 0;
  private got = 0;
  private body: Uint8Array = new Uint8Array(0);
  private scratch: Uint8Array | null = null;
  private maxKeep = 0;

  constructor(maxKeep: number) {
    this.maxKeep = maxKeep;
  }

  /** where the next stream bytes go; length 0 when a whole message is waiting to be taken */
  space(): Uint8Array {
    if (this.hdrGot < Framing.HEADER) return this.hdr.subarray(this.hdrGot);
    if (this.got >= this.len) return this.hdr.subarray(0, 0);
    if (this.got < this.body.length) return this.body.subarray(this.got);
    if (!this.scratch) this.scratch = new Uint8Array(64);
    const n = Math.min(this.scratch.length, this.len - this.got);
    return this.scratch.subarray(0, n);
  }

  /** `n` bytes were written into the last `space()` */
  commit(n: number): void {
    if (this.hdrGot < Framing.HEADER) {
      this.hdrGot += n;
      if (this.hdrGot === Framing.HEADER) {
        this.len = readHeader(this.hdr, 0);
        this.got = 0;
        this.body = new Uint8Array(Math.min(this.len, this.maxKeep));
      }
      return;
    }
    this.got += n;
  }

  /** a whole message is waiting */
  ready(): boolean {
    return this.hdrGot === Framing.HEADER && this.got >= this.len;
  }

  /** some bytes of a message (or of its header) have arrived, but not all */
  partial(): boolean {
    return this.hdrGot > 0 && !this.ready();
  }

  /** full length of the waiting message, as its header gave it */
  length(): number {
    return this.len;
  }

  /** the waiting message was longer than `maxKeep` */
  truncated(): boolean {
    return this.len > this.body.length;
  }

  /** the kept bytes of the waiting message; starts the next one */
  take(): Uint8Array {
    const b = this.body;
    this.hdrGot = 0;
    this.len = 0;
    this.got = 0;
    this.body = new Uint8Array(0);
    return b;
  }

  /** convenience for callers that hold the bytes already: consumes from `buf` until a message is ready; returns the count used */
  push(buf: Uint8Array, off: number, len: number): number {
    let used = 0;
    while (used < len && !this.ready()) {
      const s = this.space();
      const n = Math.min(s.length, len - used);
      s.set(buf.subarray(off + used, off + used + n));
      this.commit(n);
      used += n;
    }
    return used;
  }
}
