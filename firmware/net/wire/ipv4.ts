/** The IPv4 header (RFC 791), without options: the stack drops datagrams that carry them. */
import { fold, sum16 } from '../checksum';
import { Drop, PASS } from '../drop';
import { get16, put16, put32 } from './bytes';

export const enum Ip4 {
  VER_IHL = 0,
  TOS = 1,
  TOTAL_LEN = 2,
  ID = 4,
  FLAGS_FRAG = 6,
  TTL = 8,
  PROTO = 9,
  CHECKSUM = 10,
  SRC = 12,
  DST = 16,
  HEADER = 20,
  /** version 4, IHL 5 */
  VER_IHL_PLAIN = 0x45,
  DF = 0x4000,
  MF = 0x2000,
  FRAG_OFFSET = 0x1fff,
  /** RFC 1700's recommended default, as Linux and lwIP use */
  TTL_DEFAULT = 64,
}

/**
 * PASS for an IPv4 datagram in the `len` bytes at `off` that this stack takes (IHL 5, not a fragment,
 * TTL > 0, correct checksum, total length within `len`; bytes after it are Ethernet padding); else
 * the drop reason. The checks run in the order of RFC 1122 §3.2.1 so each frame gets one reason.
 */
export function ip4Check(buf: Uint8Array, off: number, len: number): number {
  if (len < Ip4.HEADER) return Drop.IP_SHORT;
  const vi = buf[off + Ip4.VER_IHL];
  if (vi >>> 4 !== 4) return Drop.IP_VERSION;
  const hl = (vi & 15) << 2;
  if (hl < Ip4.HEADER) return Drop.IP_HEADER;
  const total = get16(buf, off + Ip4.TOTAL_LEN);
  if (total < hl || total > len || hl > len) return Drop.IP_LENGTH;
  if (fold(sum16(buf, off, hl, 0)) !== 0) return Drop.IP_CHECKSUM;
  if (hl !== Ip4.HEADER) return Drop.IP_OPTIONS;
  if ((get16(buf, off + Ip4.FLAGS_FRAG) & (Ip4.MF | Ip4.FRAG_OFFSET)) !== 0) return Drop.IP_FRAGMENT;
  if (buf[off + Ip4.TTL] === 0) return Drop.IP_TTL;
  return PASS;
}

/** payload length of a datagram that passed ip4Check */
export function ip4PayloadLen(buf: Uint8Array, off: number): number {
  return get16(buf, off + Ip4.TOTAL_LEN) - Ip4.HEADER;
}

/** writes a 20-byte header with DF set and its checksum at `off`, for `payloadLen` bytes after it */
export function ip4Emit(buf: Uint8Array, off: number, tos: number, id: number, ttl: number, proto: number,
  src: number, dst: number, payloadLen: number): void {
  buf[off + Ip4.VER_IHL] = Ip4.VER_IHL_PLAIN;
  buf[off + Ip4.TOS] = tos;
  put16(buf, off + Ip4.TOTAL_LEN, Ip4.HEADER + payloadLen);
  put16(buf, off + Ip4.ID, id);
  put16(buf, off + Ip4.FLAGS_FRAG, Ip4.DF);
  buf[off + Ip4.TTL] = ttl;
  buf[off + Ip4.PROTO] = proto;
  put16(buf, off + Ip4.CHECKSUM, 0);
  put32(buf, off + Ip4.SRC, src);
  put32(buf, off + Ip4.DST, dst);
  put16(buf, off + Ip4.CHECKSUM, fold(sum16(buf, off, Ip4.HEADER, 0)));
}
