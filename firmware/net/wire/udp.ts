/** The UDP header (RFC 768), checksummed over the IPv4 pseudo-header. */
import { fold, pseudoSum, sum16 } from '../checksum';
import { Drop, PASS } from '../drop';
import { IpProto } from '../ip-proto';
import { get16, put16 } from './bytes';

export const enum Udp {
  SRC_PORT = 0,
  DST_PORT = 2,
  LENGTH = 4,
  CHECKSUM = 6,
  HEADER = 8,
}

/**
 * PASS for a datagram in the `len` bytes at `off` (the IP payload) whose length field fits and whose
 * checksum is absent (0, RFC 768) or right; else the drop reason. The datagram is `get16(LENGTH)` long.
 */
export function udpCheck(buf: Uint8Array, off: number, len: number, src: number, dst: number): number {
  if (len < Udp.HEADER) return Drop.UDP_SHORT;
  const ulen = get16(buf, off + Udp.LENGTH);
  if (ulen < Udp.HEADER || ulen > len) return Drop.UDP_LENGTH;
  if (get16(buf, off + Udp.CHECKSUM) !== 0 &&
    fold(sum16(buf, off, ulen, pseudoSum(src, dst, IpProto.UDP, ulen))) !== 0) return Drop.UDP_CHECKSUM;
  return PASS;
}

/** writes the header at `off` for `payloadLen` bytes after it, with its checksum (0 sent as 0xFFFF) */
export function udpEmit(buf: Uint8Array, off: number, sport: number, dport: number, payloadLen: number,
  src: number, dst: number): void {
  const ulen = Udp.HEADER + payloadLen;
  put16(buf, off + Udp.SRC_PORT, sport);
  put16(buf, off + Udp.DST_PORT, dport);
  put16(buf, off + Udp.LENGTH, ulen);
  put16(buf, off + Udp.CHECKSUM, 0);
  const c = fold(sum16(buf, off, ulen, pseudoSum(src, dst, IpProto.UDP, ulen)));
  put16(buf, off + Udp.CHECKSUM, c === 0 ? 0xffff : c);
}
