import * as fs from 'node:fs';

/**
 * Writes frames as a classic pcap file (microsecond timestamps, LINKTYPE_ETHERNET, frames without FCS), the
 * format Wireshark and `tcpdump -r` read. With a path every record goes to the file at once (a crashed run keeps
 * what it captured); without one the capture stays in memory (`bytes()`).
 */

const enum Pcap {
  MAGIC = 0xa1b2c3d4,
  VERSION_MAJOR = 2,
  VERSION_MINOR = 4,
  SNAPLEN = 65535,
  LINKTYPE_ETHERNET = 1,
  GLOBAL_HEADER = 24,
  RECORD_HEADER = 16,
}

export class PcapWriter {
  /** frames written */
  frames = 0;
  private fd: number | undefined;
  private chunks: Uint8Array[] = [];
  private closed = false;

  /**
   * `path`: the file to write (truncated); `epochMs`: added to every timestamp, so virtual time 0 can be shown as
   * a real date (default 0: the capture starts at 1970-01-01).
   */
  constructor(readonly path?: string, private epochMs = 0) {
    if (path !== undefined) this.fd = fs.openSync(path, 'w');
    const h = new DataView(new ArrayBuffer(Pcap.GLOBAL_HEADER));
    h.setUint32(0, Pcap.MAGIC, true);
    h.setUint16(4, Pcap.VERSION_MAJOR, true);
    h.setUint16(6, Pcap.VERSION_MINOR, true);
    h.setInt32(8, 0, true);
    h.setUint32(12, 0, true);
    h.setUint32(16, Pcap.SNAPLEN, true);
    h.setUint32(20, Pcap.LINKTYPE_ETHERNET, true);
    this.put(new Uint8Array(h.buffer));
  }

  /** one frame seen at time `ms` (milliseconds, fractions kept to the microsecond) */
  write(ms: number, frame: Uint8Array): void {
    if (this.closed) return;
    const us = Math.round((ms + this.epochMs) * 1000);
    const len = Math.min(frame.length, Pcap.SNAPLEN);
    const rec = new Uint8Array(Pcap.RECORD_HEADER + len);
    const v = new DataView(rec.buffer);
    v.setUint32(0, Math.floor(us / 1e6), true);
    v.setUint32(4, us % 1e6, true);
    v.setUint32(8, len, true);
    v.setUint32(12, frame.length, true);
    rec.set(frame.subarray(0, len), Pcap.RECORD_HEADER);
    this.put(rec);
    this.frames++;
  }

  /** the whole capture so far (memory captures only; a file capture returns what the file holds) */
  bytes(): Uint8Array {
    if (this.path !== undefined) return new Uint8Array(fs.readFileSync(this.path));
    let n = 0;
    for (const c of this.chunks) n += c.length;
    const out = new Uint8Array(n);
    let at = 0;
    for (const c of this.chunks) { out.set(c, at); at += c.length; }
    return out;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
  }

  private put(b: Uint8Array): void {
    if (this.fd !== undefined) fs.writeSync(this.fd, b);
    else this.chunks.push(b);
  }
}
