/** Ethernet II framing (IEEE 802.3 clause 3.2.6 with an EtherType; RFC 894 for IPv4). */
import { Drop, PASS } from '../drop';
import { get16, macCopy, put16 } from './bytes';

export const enum Eth {
  DST = 0,
  SRC = 6,
  TYPE = 12,
  HEADER = 14,
  /** a frame without FCS is padded to this length on the wire */
  MIN_FRAME = 60,
  /** 1,500-byte payload + header, without FCS */
  MAX_FRAME = 1514,
  /** the same with the 4-byte FCS a NIC may leave at the end */
  MAX_FRAME_FCS = 1518,
  MAC_LEN = 6,
}

export const enum EtherType {
  IPV4 = 0x0800,
  ARP = 0x0806,
  /** values below this are 802.3 length fields, not EtherTypes */
  MIN = 0x0600,
}

/** PASS for a frame of `len` bytes from an individual address that carries IPv4 or ARP; else the drop reason */
export function ethCheck(buf: Uint8Array, len: number): number {
  if (len < Eth.HEADER || buf.length < len) return Drop.ETH_SHORT;
  if (len > Eth.MAX_FRAME_FCS) return Drop.ETH_LONG;
  if (buf[Eth.SRC] & 1) return Drop.ETH_SRC;
  const t = get16(buf, Eth.TYPE);
  if (t !== EtherType.IPV4 && t !== EtherType.ARP) return Drop.ETH_TYPE;
  return PASS;
}

export function ethType(buf: Uint8Array, base: number): number {
  return get16(buf, base + Eth.TYPE);
}

/** writes the 14-byte header at `base`; `dst` is 6 bytes at `dstOff` of `dstBuf` */
export function ethEmit(buf: Uint8Array, base: number, dstBuf: Uint8Array, dstOff: number, src: Uint8Array, type: number): void {
  macCopy(buf, base + Eth.DST, dstBuf, dstOff);
  macCopy(buf, base + Eth.SRC, src, 0);
  put16(buf, base + Eth.TYPE, type);
}
