/**
 * Datagram (UDP) endpoints on the chip (on the whole driver: one with records), one datagram is read ahead, so `readable` can give its
 * length without bus traffic; `sendTo` waits for the SEND in flight like a stream's send.
 */
import { W5500Err } from '../../../hal/w5500/errors';
import type { W5500 } from '../../../hal/w5500/driver';
import { TErr } from '../transport';
import type { PeerAddress } from '../transport';
import { Fl, St } from './core';
import type { OffloadCore } from './core';
import { bytesToIp, ipToBytes } from './ip';

/** reads the next datagram ahead; its length, or -1 when none is queued */
export function pullDatagram(c: OffloadCore, ep: number): number {
  if (c.dgLen[ep] >= 0) return c.dgLen[ep];
  const s = c.sn[ep];
  if (s < 0 || c.st[ep] !== St.Bound) return -1;
  let d = c.dgBuf[ep];
  if (!d) {
    const size = c.drv.rxSize[s];
    d = new Uint8Array(size > 0 ? size : 2048);
    c.dgBuf[ep] = d;
  }
  const n = (c.drv as W5500).recvFrom(s, d, c.addr6);
  if (n < 0) return -1;
  c.dgLen[ep] = n;
  c.dgFrom[ep] = bytesToIp(c.addr6, 0);
  c.dgFromPort[ep] = (c.addr6[4] << 8) | c.addr6[5];
  return n;
}

/** the checked part of `sendTo` (the caller has validated `ep`, the range, the size and the peer, and bound it) */
export function datagramSend(c: OffloadCore, ep: number, buf: Uint8Array, off: number, len: number, ip: number, port: number): number {
  const s = c.sn[ep];
  if (c.drv.sending(s)) {
    c.fl[ep] |= Fl.WANT_WRITE;
    return 0;
  }
  const r = (c.drv as W5500).sendTo(s, buf.subarray(off, off + len), ipToBytes(ip, c.ip4, 0), port);
  if (r === len) return len;
  if (r === 0 || r === W5500Err.BUSY) {
    c.fl[ep] |= Fl.WANT_WRITE;
    return 0;
  }
  return r < 0 ? c.mapErr(r) : TErr.Invalid;
}

/** consumes the datagram read ahead (see Transport.recvFrom) and reads the next one ahead */
export function datagramRecv(c: OffloadCore, ep: number, buf: Uint8Array, off: number, len: number, from: PeerAddress): number {
  const full = c.dgLen[ep];
  if (full < 0) return -1;
  const d = c.dgBuf[ep] as Uint8Array;
  const kept = full < d.length ? full : d.length;
  const n = kept < len ? kept : len;
  buf.set(d.subarray(0, n), off);
  if (from) {
    from.ip = c.dgFrom[ep];
    from.port = c.dgFromPort[ep];
  }
  c.dgLen[ep] = -1;
  // the next one, if it came with the same RECV
  pullDatagram(c, ep);
  return full;
}

/** room for one datagram now: the largest one, unless a SEND is in flight */
export function datagramWriteSpace(c: OffloadCore, ep: number): number {
  const s = c.sn[ep];
  if (s < 0 || c.drv.sending(s)) return 0;
  return c.maxDatagram;
}
