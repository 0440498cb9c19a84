/** ARP for IPv4 over Ethernet (RFC 826). */
import { Drop, PASS } from '../drop';
import { get16, macCopy, put16, put32 } from './bytes';

export const enum Arp {
  HTYPE = 0,
  PTYPE = 2,
  HLEN = 4,
  PLEN = 5,
  OPER = 6,
  SHA = 8,
  SPA = 14,
  THA = 18,
  TPA = 24,
  LEN = 28,
  HTYPE_ETHERNET = 1,
  PTYPE_IPV4 = 0x0800,
}

export const enum ArpOper {
  REQUEST = 1,
  REPLY = 2,
}

/** PASS for an Ethernet/IPv4 request or reply in `len` bytes at `off`; else the drop reason */
export function arpCheck(buf: Uint8Array, off: number, len: number): number {
  if (len < Arp.LEN) return Drop.ARP_SHORT;
  if (get16(buf, off + Arp.HTYPE) !== Arp.HTYPE_ETHERNET || get16(buf, off + Arp.PTYPE) !== Arp.PTYPE_IPV4 ||
    buf[off + Arp.HLEN] !== 6 || buf[off + Arp.PLEN] !== 4) return Drop.ARP_FORMAT;
  const op = get16(buf, off + Arp.OPER);
  if (op !== ArpOper.REQUEST && op !== ArpOper.REPLY) return Drop.ARP_OPER;
  return PASS;
}

/**
 * Writes a 28-byte ARP packet at `off`. The target hardware address is 6 bytes at `thaOff` of
 * `thaBuf` (a request passes any all-zero 6 bytes).
 */
export function arpEmit(buf: Uint8Array, off: number, oper: number, sha: Uint8Array, spa: number,
  thaBuf: Uint8Array, thaOff: number, tpa: number): void {
  put16(buf, off + Arp.HTYPE, Arp.HTYPE_ETHERNET);
  put16(buf, off + Arp.PTYPE, Arp.PTYPE_IPV4);
  buf[off + Arp.HLEN] = 6;
  buf[off + Arp.PLEN] = 4;
  put16(buf, off + Arp.OPER, oper);
  macCopy(buf, off + Arp.SHA, sha, 0);
  put32(buf, off + Arp.SPA, spa);
  macCopy(buf, off + Arp.THA, thaBuf, thaOff);
  put32(buf, off + Arp.TPA, tpa);
}
