/**
 * The driver's events (hal/w5500/events.ts) turned into the transport's: a listener's connection,
 * a connect's outcome, data, send space, the peer's FIN, the end of a connection, link changes and
 * the NIC's failure. Runs from the driver's interrupt service or poll, so it may call the sink.
 */
import { SnEvent } from '../../../hal/w5500/events';
import { EndpointKind, TCause } from '../transport';
import { Fl, Role, St } from './core';
import type { OffloadCore } from './core';
import { dropListeners, freeEndpoint, relisten } from './pool';
import { finIfSent, pendingNow } from './stream-tx';
import { pullDatagram } from './datagram';
import { WITH_DATAGRAM } from '../../features';
import { arpFailed, txFree } from './chip-reads';

function owedWrite(c: OffloadCore, ep: number): void {
  if (!(c.fl[ep] & Fl.WANT_WRITE)) return;
  c.fl[ep] &= ~Fl.WANT_WRITE;
  c.sink.writable(ep);
}

/** the connection is over: report it, and free a released endpoint */
function end(c: OffloadCore, ep: number, cause: TCause): void {
  const s = c.sn[ep];
  const unsent = cause === TCause.None || s < 0 ? 0 : pendingNow(c, ep);
  c.unsentAt[ep] = unsent;
  c.txKnown[ep] = 0;
  if (c.down) c.rxKnown[ep] = 0;
  else c.learnRx(ep);
  if (c.fl[ep] & Fl.RELEASED) freeEndpoint(c, ep);
  else c.st[ep] = St.Ended;
  c.sink.ended(ep, cause, unsent);
}

/** a hardware socket armed for, or waiting in, a listening endpoint's backlog */
function listenerEvent(c: OffloadCore, s: number, ep: number, ev: number): void {
  if (c.role[s] === Role.Armed) {
    if (ev === SnEvent.CON) {
      c.role[s] = Role.Ready;
      c.snSeq[s] = c.seq++;
      c.snFin[s] = 0;
      c.sink.acceptable(ep);
    } else if (ev === SnEvent.TIMEOUT || ev === SnEvent.RESET || ev === SnEvent.CLOSED) {
      relisten(c, s, ep);
    }
    return;
  }
  if (ev === SnEvent.DISCON) c.snFin[s] = 1;
  // A connection reset or timed out before accept() is dropped, as BSD stacks drop it from the queue.
  else if (ev === SnEvent.TIMEOUT || ev === SnEvent.RESET || ev === SnEvent.CLOSED) relisten(c, s, ep);
}

function connectEvent(c: OffloadCore, s: number, ep: number, ev: number): void {
  if (ev === SnEvent.CON) {
    c.st[ep] = St.Connected;
    c.txKnown[ep] = c.drv.txSize[s];
    c.rxKnown[ep] = 0;
    finIfSent(c, ep);
    c.sink.connectDone(ep, TCause.None);
  } else if (ev === SnEvent.TIMEOUT || ev === SnEvent.RESET) {
    const cause = ev === SnEvent.RESET ? TCause.Refused : (arpFailed(c.drv, s, c.addr6) ? TCause.Unreachable : TCause.Timeout);
    c.drv.close(s);
    c.st[ep] = St.Bound;
    c.peerIp[ep] = 0;
    c.peerPort[ep] = 0;
    c.fl[ep] &= Fl.NODELAY;
    c.sink.connectDone(ep, cause);
  }
}

function connectionEvent(c: OffloadCore, s: number, ep: number, ev: number): void {
  switch (ev) {
    case SnEvent.RECV:
      // a released connection's data is dropped on the chip, so the peer's window stays open until its FIN
      if (c.fl[ep] & Fl.RELEASED) c.drv.discard(s);
      else {
        c.learnRx(ep);
        c.sink.readable(ep);
      }
      return;
    case SnEvent.SEND_OK:
    case SnEvent.WRITABLE:
      c.txKnown[ep] = txFree(c.drv, s);
      finIfSent(c, ep);
      owedWrite(c, ep);
      return;
    case SnEvent.DISCON:
      if (c.fl[ep] & Fl.FIN) return;
      c.learnRx(ep);
      c.fl[ep] |= Fl.FIN;
      c.sink.peerFin(ep);
      return;
    case SnEvent.TIMEOUT:
      end(c, ep, TCause.Timeout);
      return;
    case SnEvent.RESET:
      end(c, ep, TCause.Reset);
      return;
    case SnEvent.CLOSED:
      end(c, ep, TCause.None);
      return;
  }
}

/** one event of hardware socket `s` */
export function onSocket(c: OffloadCore, s: number, ev: number): void {
  const ep = c.snEp[s];
  if (ep < 0) return;
  const role = c.role[s];
  if (role === Role.Armed || role === Role.Ready) {
    listenerEvent(c, s, ep, ev);
    return;
  }
  if (WITH_DATAGRAM && c.kind[ep] === EndpointKind.Datagram) {
    if (ev === SnEvent.RECV) {
      if (c.dgLen[ep] < 0) pullDatagram(c, ep);
      if (c.dgLen[ep] >= 0) c.sink.readable(ep);
    } else if (ev === SnEvent.SEND_OK || ev === SnEvent.WRITABLE || ev === SnEvent.TIMEOUT) {
      owedWrite(c, ep);
    }
    return;
  }
  const st = c.st[ep];
  if (st === St.Connecting) connectEvent(c, s, ep, ev);
  else if (st === St.Connected) connectionEvent(c, s, ep, ev);
}

/** the chip is gone, was reset, or the bus failed: every connection and listener ends NetDown */
export function onFailure(c: OffloadCore): void {
  // pump() may have told it already; the driver's own report follows on a later turn
  if (c.down) return;
  c.down = true;
  dropListeners(c);
  for (let ep = 0; ep < c.max; ep++) {
    const st = c.st[ep];
    if (st === St.Connecting) {
      c.st[ep] = St.Bound;
      c.sink.connectDone(ep, TCause.NetDown);
    } else if (st === St.Connected || st === St.Listening) {
      end(c, ep, TCause.NetDown);
    }
  }
}
