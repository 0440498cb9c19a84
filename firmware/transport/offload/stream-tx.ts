/**
 * Sending on a stream endpoint. The chip takes one SEND at a time; while one awaits SEND_OK, up to
 * `stageMax` bytes queue in RAM and go with the next SEND. The FIN (DISCON) owed by shutdownSend
 * goes only after the SEND_OK of the last byte, so no byte is cut off.
 */
import { EndpointKind, TErr } from '../transport';
import { Fl, St } from './core';
import type { OffloadCore } from './core';
import { txUnsent } from './chip-reads';

function tookTx(c: OffloadCore, ep: number, n: number): void {
  const k = c.txKnown[ep];
  c.txKnown[ep] = k > n ? k - n : 0;
}

function stageBytes(c: OffloadCore, ep: number, buf: Uint8Array, off: number, len: number): number {
  let st = c.stage[ep];
  if (!st && c.stageMax > 0) {
    st = new Uint8Array(c.stageMax);
    c.stage[ep] = st;
  }
  const have = c.staged[ep];
  const room = st ? st.length - have : 0;
  const n = len < room ? len : room;
  if (n > 0) {
    (st as Uint8Array).set(buf.subarray(off, off + n), have);
    c.staged[ep] = have + n;
  }
  if (n < len) c.fl[ep] |= Fl.WANT_WRITE;
  return n;
}

/** the checked part of `send` (the caller has validated `ep` and the range) */
export function streamSend(c: OffloadCore, ep: number, buf: Uint8Array, off: number, len: number): number {
  if (c.st[ep] !== St.Connected || (c.fl[ep] & Fl.SHUT)) return TErr.Invalid;
  if (len === 0) return 0;
  const s = c.sn[ep];
  // Keep the byte order: while anything is staged, new bytes queue behind it.
  if (c.drv.sending(s) || c.staged[ep] > 0) return stageBytes(c, ep, buf, off, len);
  const r = c.drv.send(s, buf.subarray(off, off + len));
  if (r < 0) {
    if (!c.drv.isUp()) return TErr.NetDown;
    // BUSY, or Sn_SR left ESTABLISHED and the event telling why is on its way
    c.fl[ep] |= Fl.WANT_WRITE;
    return 0;
  }
  tookTx(c, ep, r);
  if (r < len) c.fl[ep] |= Fl.WANT_WRITE;
  return r;
}

/** hands staged bytes to the chip once no SEND is in flight; then the FIN if one is owed */
export function flushStage(c: OffloadCore, ep: number): void {
  const s = c.sn[ep];
  const have = c.staged[ep];
  if (have > 0 && !c.drv.sending(s)) {
    const st = c.stage[ep] as Uint8Array;
    const r = c.drv.send(s, st.subarray(0, have));
    if (r > 0) {
      tookTx(c, ep, r);
      // moving the rest to the front: a forward copy, safe for overlapping ranges
      if (r < have) st.set(st.subarray(r, have), 0);
      c.staged[ep] = have - r;
    }
  }
  if ((c.fl[ep] & Fl.SHUT) && c.staged[ep] === 0 && !c.drv.sending(s) && !(c.fl[ep] & Fl.DISCON)) {
    c.fl[ep] |= Fl.DISCON;
    c.drv.disconnect(s);
  }
}

/** room for `send` now, from what the last SEND_OK learnt (no bus traffic) */
export function streamWriteSpace(c: OffloadCore, ep: number): number {
  if (c.st[ep] !== St.Connected || (c.fl[ep] & (Fl.SHUT | Fl.RELEASED))) return 0;
  const s = c.sn[ep];
  if (c.drv.sending(s) || c.staged[ep] > 0) return c.stageMax - c.staged[ep];
  return c.txKnown[ep];
}

/** bytes handed to send and not yet acknowledged, from what is known (no bus traffic) */
export function streamUnsent(c: OffloadCore, ep: number): number {
  if (c.kind[ep] !== EndpointKind.Stream) return 0;
  if (c.st[ep] === St.Connected && c.sn[ep] >= 0) {
    const inChip = c.drv.txSize[c.sn[ep]] - c.txKnown[ep];
    return (inChip > 0 ? inChip : 0) + c.staged[ep];
  }
  return c.unsentAt[ep];
}

/** bytes of a connection the peer has not acknowledged, as the chip says now: in its TX buffer, and still staged here */
export function pendingNow(c: OffloadCore, ep: number): number {
  const s = c.sn[ep];
  return (s >= 0 && !c.down ? txUnsent(c.drv, s) : 0) + c.staged[ep];
}
