/**
 * SOCK_SEQPACKET: whole messages over a stream connection, framed by seqpacket-framing.ts. One
 * message at a time goes to the transport; received bytes are reassembled until a message is whole;
 * a FIN inside a message loses that message, and the end reads as WSAEDISCON.
 */
import { WSAError } from './errors';
import { armWrite } from './events';
import { frameMessage } from './seqpacket-framing';
import type { MessageReader } from './seqpacket-framing';
import { finSent, hasEnded, onFinSent, peerFinSeen } from './sock';
import type { Sock } from './sock';
import { fail, kick } from './core';
import type { LayerCore } from './core';
import { block } from './blocking';

export function sendMessage(c: LayerCore, s: Sock, buf: Uint8Array, n: number): number {
  if (n > c.maxMessage) return fail(c, WSAError.WSAEMSGSIZE);
  if (s.tx) {
    if (s.nonBlocking) {
      armWrite(s.book);
      return fail(c, WSAError.WSAEWOULDBLOCK);
    }
    const ok = block(c, function () { return s.tx === null || s.abortError !== 0; }, s.sndTimeo);
    if (s.abortError !== 0) return fail(c, s.abortError);
    if (!ok) return fail(c, WSAError.WSAETIMEDOUT);
  }
  s.tx = frameMessage(buf, 0, n);
  s.txOff = 0;
  flushTx(c, s);
  return n;
}

export function flushTx(c: LayerCore, s: Sock): void {
  while (s.tx && s.ep >= 0) {
    const r = c.transport.send(s.ep, s.tx, s.txOff, s.tx.length - s.txOff);
    if (r <= 0) return;
    s.txOff += r;
    if (s.txOff === s.tx.length) s.tx = null;
  }
}

/** moves stream bytes into the reassembly until one whole message is waiting */
export function pullMessages(c: LayerCore, s: Sock): void {
  const r = s.reader;
  if (!r || s.ep < 0) return;
  const t = c.transport;
  while (!r.ready()) {
    const avail = t.readable(s.ep);
    if (avail <= 0) return;
    const sp = r.space();
    const got = t.recv(s.ep, sp, 0, Math.min(sp.length, avail));
    if (got <= 0) return;
    r.commit(got);
  }
}

export function recvMessage(c: LayerCore, s: Sock, buf: Uint8Array, n: number): number {
  const r = s.reader as MessageReader;
  const t = c.transport;
  for (;;) {
    if (s.abortError !== 0) return fail(c, s.abortError);
    pullMessages(c, s);
    if (r.ready()) {
      const full = r.length();
      const truncated = r.truncated();
      const m = r.take();
      const got = Math.min(n, m.length);
      buf.set(m.subarray(0, got), 0);
      kick(c);
      if (truncated || full > n) return fail(c, WSAError.WSAEMSGSIZE);
      return got;
    }
    // A FIN inside a message leaves a partial frame: the message is lost, the end is still graceful.
    if ((peerFinSeen(s) || hasEnded(s)) && t.readable(s.ep) <= 0) return fail(c, WSAError.WSAEDISCON);
    if (s.nonBlocking) return fail(c, WSAError.WSAEWOULDBLOCK);
    const ok = block(c, function () { return s.abortError !== 0 || peerFinSeen(s) || hasEnded(s) || t.readable(s.ep) > 0; }, s.rcvTimeo);
    if (!ok) return fail(c, WSAError.WSAETIMEDOUT);
  }
}

/** shutdown(SD_SEND) / closesocket: FIN once the staged message (if any) has gone to the transport */
export function sendFinWhenFlushed(c: LayerCore, s: Sock): void {
  if (finSent(s) || s.ep < 0) return;
  flushTx(c, s);
  if (s.tx) return;
  c.transport.shutdownSend(s.ep);
  onFinSent(s);
}
