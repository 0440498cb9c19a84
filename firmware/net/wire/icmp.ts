/** ICMP messages the stack reads or writes (RFC 792): echo, and destination unreachable. */
import { fold, sum16 } from '../checksum';
import { Drop, PASS } from '../drop';
import { get16, put16 } from './bytes';

export const enum Icmp {
  TYPE = 0,
  CODE = 1,
  CHECKSUM = 2,
  /** echo: identifier and sequence number; destination unreachable: unused (zero) */
  ID = 4,
  SEQ = 6,
  HEADER = 8,
  /** an ICMP error datagram is at most this long, quote included (RFC 1812 §4.3.2.3) */
  MAX_ERROR = 576,
}

export const enum IcmpType {
  ECHO_REPLY = 0,
  DEST_UNREACH = 3,
  ECHO_REQUEST = 8,
}

export const enum IcmpCode {
  PROTO_UNREACH = 2,
  PORT_UNREACH = 3,
}

/** PASS for an ICMP message of `len` bytes at `off` with a correct checksum; else the drop reason */
export function icmpCheck(buf: Uint8Array, off: number, len: number): number {
  if (len < Icmp.HEADER) return Drop.ICMP_SHORT;
  if (fold(sum16(buf, off, len, 0)) !== 0) return Drop.ICMP_CHECKSUM;
  return PASS;
}

/** writes type, code and the checksum over the `len` bytes at `off` (rest of the message already in place) */
export function icmpEmit(buf: Uint8Array, off: number, len: number, type: number, code: number): void {
  buf[off + Icmp.TYPE] = type;
  buf[off + Icmp.CODE] = code;
  put16(buf, off + Icmp.CHECKSUM, 0);
  put16(buf, off + Icmp.CHECKSUM, fold(sum16(buf, off, len, 0)));
}

/**
 * Turns a checked echo request at `off` into an echo reply: type 0, checksum updated incrementally
 * (RFC 1624 eqn. 3) instead of summed again over the whole message.
 */
export function icmpEchoReply(buf: Uint8Array, off: number): void {
  const m = get16(buf, off + Icmp.TYPE);
  const m2 = IcmpType.ECHO_REPLY << 8;
  buf[off + Icmp.TYPE] = IcmpType.ECHO_REPLY;
  buf[off + Icmp.CODE] = 0;
  put16(buf, off + Icmp.CHECKSUM, fold((~get16(buf, off + Icmp.CHECKSUM) & 0xffff) + (~m & 0xffff) + m2));
}
