/**
 * SOCK_DGRAM: one datagram per sendto/recvfrom, bound on first use, WSAEMSGSIZE for a datagram
 * larger than the buffer (the rest is lost, as in Winsock).
 */
import { WSAError } from './errors';
import { FdEvent } from './constants';
import { armWrite, reenable } from './events';
import { formatIPv4 } from './address';
import type { Sock } from './sock';
import type { SockAddr } from './types';
import { fail, kick, transportError } from './core';
import type { LayerCore } from './core';
import { block } from './blocking';

export function sendDatagram(c: LayerCore, s: Sock, buf: Uint8Array, n: number, ip: number, port: number): number {
  reenable(s.book, FdEvent.FD_WRITE);
  if (s.shutSend) return fail(c, WSAError.WSAESHUTDOWN);
  if (s.ep < 0) return fail(c, WSAError.WSAENETDOWN);
  if (n > c.transport.caps.maxDatagram) return fail(c, WSAError.WSAEMSGSIZE);
  const t = c.transport;
  if (!s.bound) {
    const b = t.bind(s.ep, 0, 0);
    if (b < 0) return fail(c, transportError(b));
    s.bound = true;
  }
  let r = t.sendTo(s.ep, buf, 0, n, ip, port);
  if (r === 0 && n > 0) {
    if (s.nonBlocking) {
      armWrite(s.book);
      return fail(c, WSAError.WSAEWOULDBLOCK);
    }
    const ok = block(c, function () { r = t.sendTo(s.ep, buf, 0, n, ip, port); return r !== 0; }, s.sndTimeo);
    if (!ok) return fail(c, WSAError.WSAETIMEDOUT);
  }
  if (r < 0) return fail(c, transportError(r));
  return n;
}

export function recvDatagram(c: LayerCore, s: Sock, buf: Uint8Array, n: number, from: SockAddr | undefined): number {
  reenable(s.book, FdEvent.FD_READ);
  kick(c);
  if (s.shutRecv) return fail(c, WSAError.WSAESHUTDOWN);
  if (!s.bound) return fail(c, WSAError.WSAEINVAL);
  if (s.ep < 0) return fail(c, WSAError.WSAENETDOWN);
  const t = c.transport;
  if (t.readable(s.ep) < 0) {
    if (s.nonBlocking) return fail(c, WSAError.WSAEWOULDBLOCK);
    const ok = block(c, function () { return t.readable(s.ep) >= 0; }, s.rcvTimeo);
    if (!ok) return fail(c, WSAError.WSAETIMEDOUT);
  }
  const full = t.recvFrom(s.ep, buf, 0, n, c.peer);
  if (full < 0) return fail(c, WSAError.WSAEWOULDBLOCK);
  if (from !== undefined) {
    from.addr = formatIPv4(c.peer.ip);
    from.port = c.peer.port;
  }
  if (full > n) return fail(c, WSAError.WSAEMSGSIZE);
  return full;
}
