/**
 * TCP's events (firmware/net/tcp, delivered from inside `Tcp.input` and `Tcp.poll`, which run only in
 * the transport's pump and event-loop work) as the transport's sink events. A connection's `user`
 * is its endpoint id (-1 once the endpoint let it go). A released connection hears no more data; its
 * end is told once more (peerFin first when graceful), and the endpoint frees itself.
 */
import { TcpCause } from '../../net/tcp/constants';
import type { TcpConn } from '../../net/tcp/conn';
import type { TcpListener } from '../../net/tcp/listener';
import type { TcpSink } from '../../net/tcp/config';
import { TCause } from '../transport';
import { Fl, St } from './core';
import type { SoftCore } from './core';

/** TCP's cause as the transport's (an RST of our own after SD_RECEIVE is a reset like any other) */
function cause(c: TcpCause): TCause {
  if (c === TcpCause.None) return TCause.None;
  if (c === TcpCause.Timeout) return TCause.Timeout;
  if (c === TcpCause.Refused) return TCause.Refused;
  return TCause.Reset;
}

function owner(c: SoftCore, conn: TcpConn): number {
  const ep = conn.user;
  return ep >= 0 && ep < c.max && c.conn[ep] === conn ? ep : -1;
}

export function tcpSink(c: SoftCore): TcpSink {
  return {
    connected: function (conn: TcpConn): void {
      const ep = owner(c, conn);
      if (ep < 0 || c.st[ep] !== St.Connecting) return;
      c.st[ep] = St.Connected;
      c.sink.connectDone(ep, TCause.None);
    },
    acceptable: function (l: TcpListener): void {
      const ep = l.user;
      if (ep >= 0 && ep < c.max && c.listener[ep] === l) c.sink.acceptable(ep);
    },
    readable: function (conn: TcpConn): void {
      const ep = owner(c, conn);
      if (ep >= 0 && !(c.fl[ep] & Fl.RELEASED)) c.sink.readable(ep);
    },
    peerFin: function (conn: TcpConn): void {
      const ep = owner(c, conn);
      if (ep < 0 || (c.fl[ep] & Fl.FIN)) return;
      c.fl[ep] |= Fl.FIN;
      c.sink.peerFin(ep);
    },
    writable: function (conn: TcpConn): void {
      const ep = owner(c, conn);
      if (ep >= 0 && !(c.fl[ep] & Fl.RELEASED)) c.sink.writable(ep);
    },
    allAcked: function (): void { /* unsent() answers from the send queue */ },
    ended: function (conn: TcpConn, why: TcpCause): void {
      const ep = owner(c, conn);
      if (ep >= 0) connEnded(c, ep, conn, cause(why));
    },
  };
}

function connEnded(c: SoftCore, ep: number, conn: TcpConn, why: TCause): void {
  if (c.st[ep] === St.Connecting) {
    // the attempt failed: the endpoint is as after bind() again, its port kept
    conn.user = -1;
    c.conn[ep] = null;
    c.st[ep] = St.Bound;
    c.sink.connectDone(ep, why === TCause.Reset ? TCause.Refused : why);
    return;
  }
  const unsent = conn.unsent();
  if (why === TCause.None && !(c.fl[ep] & Fl.FIN)) {
    // a released connection's FIN was not told by TCP (it drops what follows a release)
    c.fl[ep] |= Fl.FIN;
    c.sink.peerFin(ep);
  }
  c.st[ep] = St.Ended;
  c.unsentAt[ep] = unsent;
  const released = (c.fl[ep] & Fl.RELEASED) !== 0;
  c.sink.ended(ep, why, unsent);
  if (released) c.retire(ep);
}
