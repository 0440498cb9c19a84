/**
 * Sending on a stream endpoint. Bytes go straight into the chip's TX ring, also while a SEND awaits
 * SEND_OK: the driver sends everything written meanwhile with one SEND at SEND_OK, so no RAM is
 * held per connection for it. The FIN (DISCON) owed by shutdownSend goes only after the SEND_OK of
 * the last byte written, so no byte is cut off.
 */
import { EndpointKind, TErr } from '../transport';
import { Fl, St } from './core';
import type { OffloadCore } from './core';
import { txUnsent } from './chip-reads';

/** the checked part of `send` (the caller has validated `ep` and the range) */
export function streamSend(c: OffloadCore, ep: number, buf: Uint8Array, off: number, len: number): number {
  if (c.st[ep] !== St.Connected || (c.fl[ep] & Fl.SHUT)) return TErr.Invalid;
  if (len === 0) return 0;
  const r = c.drv.send(c.sn[ep], buf.subarray(off, off + len));
  if (r < 0) {
    if (!c.drv.isUp()) return TErr.NetDown;
    // Sn_SR left ESTABLISHED and the event telling why is on its way
    c.fl[ep] |= Fl.WANT_WRITE;
    return 0;
  }
  const k = c.txKnown[ep];
  c.txKnown[ep] = k > r ? k - r : 0;
  if (r < len) c.fl[ep] |= Fl.WANT_WRITE;
  return r;
}

/** the FIN owed by shutdownSend, once every byte written has had its SEND_OK */
export function finIfSent(c: OffloadCore, ep: number): void {
  const s = c.sn[ep];
  if ((c.fl[ep] & Fl.SHUT) && !c.drv.sending(s) && !(c.fl[ep] & Fl.DISCON)) {
    c.fl[ep] |= Fl.DISCON;
    c.drv.disconnect(s);
  }
}

/** room for `send` now, from what the last SEND_OK learnt (no bus traffic) */
export function streamWriteSpace(c: OffloadCore, ep: number): number {
  if (c.st[ep] !== St.Connected || (c.fl[ep] & (Fl.SHUT | Fl.RELEASED))) return 0;
  return c.txKnown[ep];
}

/** bytes handed to send and not yet acknowledged, from what is known (no bus traffic) */
export function streamUnsent(c: OffloadCore, ep: number): number {
  if (c.kind[ep] !== EndpointKind.Stream) return 0;
  if (c.st[ep] === St.Connected && c.sn[ep] >= 0) {
    const inChip = c.drv.txSize[c.sn[ep]] - c.txKnown[ep];
    return inChip > 0 ? inChip : 0;
  }
  return c.unsentAt[ep];
}

/** bytes of a connection the peer has not acknowledged, as the chip says now (in its TX ring) */
export function pendingNow(c: OffloadCore, ep: number): number {
  const s = c.sn[ep];
  return s >= 0 && !c.down ? txUnsent(c.drv, s) : 0;
}
