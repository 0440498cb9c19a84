/**
 * Reads a pcap file while another thread writes it (sim/net/pcap.ts writes each record at once): every call to
 * `read()` returns the whole records added since the last one, with their time in ms since the Unix epoch.
 */
import fs from 'node:fs';

const GLOBAL_HEADER = 24;
const RECORD_HEADER = 16;

export interface PcapRecord {
  /** ms since the Unix epoch, to the microsecond */
  epochMs: number;
  frame: Uint8Array;
}

export class PcapTail {
  private offset = GLOBAL_HEADER;

  constructor(readonly path: string) {}

  read(): PcapRecord[] {
    let size: number;
    try {
      size = fs.statSync(this.path).size;
    } catch {
      return []; // not written yet
    }
    if (size <= this.offset) return [];
    const fd = fs.openSync(this.path, 'r');
    try {
      const buf = Buffer.alloc(size - this.offset);
      const got = fs.readSync(fd, buf, 0, buf.length, this.offset);
      const out: PcapRecord[] = [];
      let at = 0;
      while (at + RECORD_HEADER <= got) {
        const len = buf.readUInt32LE(at + 8);
        if (at + RECORD_HEADER + len > got) break; // the rest of this record is still being written
        const epochMs = buf.readUInt32LE(at) * 1000 + buf.readUInt32LE(at + 4) / 1000;
        out.push({ epochMs, frame: new Uint8Array(buf.subarray(at + RECORD_HEADER, at + RECORD_HEADER + len)) });
        at += RECORD_HEADER + len;
      }
      this.offset += at;
      return out;
    } finally {
      fs.closeSync(fd);
    }
  }
}
