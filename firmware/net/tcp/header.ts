/**
 * The TCP header codec (RFC 9293 §3.1): parse into a reused `TcpSegment`, emit into a frame buffer.
 * Field offsets live here and nowhere else. Options: MSS is read (and sent on SYNs); window scale and
 * SACK-permitted are recognised and declined (we never send them, so RFC 7323 §2.2 and RFC 2018 §2
 * leave them off); timestamps are ignored (never echoed, so RFC 7323 §3.2 leaves them off too).
 */
import { fold, pseudoSum, sum16 } from '../checksum';
import { IpProto } from '../ip-proto';

export const enum TcpOff {
  SRC_PORT = 0,
  DST_PORT = 2,
  SEQ = 4,
  ACK = 8,
  DATA_OFFSET = 12,
  FLAGS = 13,
  WINDOW = 14,
  CHECKSUM = 16,
  URGENT = 18,
  /** header without options */
  HEADER = 20,
  /** largest header (data offset 15) */
  MAX_HEADER = 60,
}

export const enum TcpFlag {
  FIN = 0x01,
  SYN = 0x02,
  RST = 0x04,
  PSH = 0x08,
  ACK = 0x10,
  URG = 0x20,
}

export const enum TcpOpt {
  END = 0,
  NOP = 1,
  MSS = 2,
  MSS_LEN = 4,
  WINDOW_SCALE = 3,
  SACK_PERMITTED = 4,
  TIMESTAMPS = 8,
}

/** Result of `parseTcp`. */
export const enum TcpParse {
  OK = 0,
  /** shorter than 20 bytes, or a data offset below 5 words or past the segment */
  BAD_HEADER = 1,
  BAD_CHECKSUM = 2,
  /** an option length below 2 or past the end of the header */
  BAD_OPTION = 3,
}

/** One parsed segment; `parseTcp` overwrites every field. */
export class TcpSegment {
  srcPort = 0;
  dstPort = 0;
  seq = 0;
  ack = 0;
  flags = 0;
  wnd = 0;
  /** where the data starts in the buffer given to `parseTcp` (absolute offset) */
  data = 0;
  /** data bytes (SYN and FIN not counted) */
  len = 0;
  /** the MSS option's value, 0 when absent */
  mss = 0;
  /** options seen and declined or ignored, for the counters and tests */
  wscale = -1;
  sackOk = false;
  timestamps = false;
}

function get16(b: Uint8Array, o: number): number {
  return (b[o] << 8) | b[o + 1];
}

function get32(b: Uint8Array, o: number): number {
  return ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
}

function put16(b: Uint8Array, o: number, v: number): void {
  b[o] = (v >>> 8) & 0xff;
  b[o + 1] = v & 0xff;
}

function put32(b: Uint8Array, o: number, v: number): void {
  b[o] = (v >>> 24) & 0xff;
  b[o + 1] = (v >>> 16) & 0xff;
  b[o + 2] = (v >>> 8) & 0xff;
  b[o + 3] = v & 0xff;
}

/** The option walk covers at most 40 header bytes; the data is never touched byte by byte. */
function parseOptions(buf: Uint8Array, at: number, end: number, seg: TcpSegment): TcpParse {
  while (at < end) {
    const kind = buf[at];
    if (kind === TcpOpt.END) break;
    if (kind === TcpOpt.NOP) { at++; continue; }
    if (at + 1 >= end) return TcpParse.BAD_OPTION;
    const l = buf[at + 1];
    if (l < 2 || at + l > end) return TcpParse.BAD_OPTION;
    if (kind === TcpOpt.MSS) {
      if (l !== TcpOpt.MSS_LEN) return TcpParse.BAD_OPTION;
      seg.mss = get16(buf, at + 2);
    } else if (kind === TcpOpt.WINDOW_SCALE && l === 3) {
      seg.wscale = buf[at + 2];
    } else if (kind === TcpOpt.SACK_PERMITTED && l === 2) {
      seg.sackOk = true;
    } else if (kind === TcpOpt.TIMESTAMPS && l === 10) {
      seg.timestamps = true;
    }
    at += l;
  }
  return TcpParse.OK;
}

/**
 * Parses and checks (checksum over the IPv4 pseudo-header included) the segment of `len` bytes at
 * `off`; `src`/`dst` are the IPv4 addresses. Fills `seg`; nothing is allocated.
 */
export function parseTcp(buf: Uint8Array, off: number, len: number, src: number, dst: number, seg: TcpSegment): TcpParse {
  if (len < TcpOff.HEADER || off < 0 || off + len > buf.length) return TcpParse.BAD_HEADER;
  const hl = (buf[off + TcpOff.DATA_OFFSET] >>> 4) << 2;
  if (hl < TcpOff.HEADER || hl > len) return TcpParse.BAD_HEADER;
  if (fold(sum16(buf, off, len, pseudoSum(src, dst, IpProto.TCP, len))) !== 0) return TcpParse.BAD_CHECKSUM;
  seg.srcPort = get16(buf, off + TcpOff.SRC_PORT);
  seg.dstPort = get16(buf, off + TcpOff.DST_PORT);
  seg.seq = get32(buf, off + TcpOff.SEQ);
  seg.ack = get32(buf, off + TcpOff.ACK);
  seg.flags = buf[off + TcpOff.FLAGS] & 0x3f;
  seg.wnd = get16(buf, off + TcpOff.WINDOW);
  seg.data = off + hl;
  seg.len = len - hl;
  seg.mss = 0;
  seg.wscale = -1;
  seg.sackOk = false;
  seg.timestamps = false;
  return parseOptions(buf, off + TcpOff.HEADER, off + hl, seg);
}

/**
 * Writes a header at `off` (an MSS option when `mss` > 0) and returns its length. The checksum field is
 * left zero: `setTcpChecksum` fills it once the data is in place.
 */
export function emitTcp(buf: Uint8Array, off: number, srcPort: number, dstPort: number, seq: number, ack: number,
  flags: number, wnd: number, mss: number): number {
  const hl = mss > 0 ? TcpOff.HEADER + TcpOpt.MSS_LEN : TcpOff.HEADER;
  put16(buf, off + TcpOff.SRC_PORT, srcPort);
  put16(buf, off + TcpOff.DST_PORT, dstPort);
  put32(buf, off + TcpOff.SEQ, seq);
  put32(buf, off + TcpOff.ACK, (flags & TcpFlag.ACK) ? ack : 0);
  buf[off + TcpOff.DATA_OFFSET] = (hl >>> 2) << 4;
  buf[off + TcpOff.FLAGS] = flags;
  put16(buf, off + TcpOff.WINDOW, wnd);
  put16(buf, off + TcpOff.CHECKSUM, 0);
  put16(buf, off + TcpOff.URGENT, 0);
  if (mss > 0) {
    buf[off + TcpOff.HEADER] = TcpOpt.MSS;
    buf[off + TcpOff.HEADER + 1] = TcpOpt.MSS_LEN;
    put16(buf, off + TcpOff.HEADER + 2, mss);
  }
  return hl;
}

/** fills the checksum of the `len`-byte segment at `off` (RFC 9293 §3.1) */
export function setTcpChecksum(buf: Uint8Array, off: number, len: number, src: number, dst: number): void {
  put16(buf, off + TcpOff.CHECKSUM, 0);
  put16(buf, off + TcpOff.CHECKSUM, fold(sum16(buf, off, len, pseudoSum(src, dst, IpProto.TCP, len))));
}
