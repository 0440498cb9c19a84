/**
 * The self-test's scenarios: each drives the Winsock API on the shared rig against scripted peers of its own,
 * throws on the first thing that is not exactly as the contract says (docs/socket-semantics.md), and leaves
 * every hardware socket free for the next.
 */
import { SelfRig, PEER_IP } from './rig';
import { AddressFamily, FdEvent, IoctlCmd, OptLevel, ShutdownHow, SockOpt, SockType } from '../../firmware/socket/constants';
import { WSAError } from '../../firmware/socket/errors';
import { fdEventName } from '../../firmware/socket/events';
import type { CloseResult } from '../../firmware/socket/types';
import type { VTcpPeer } from '../w5500/virtual-net';

export interface Scenario {
  name: string;
  run: (r: SelfRig) => void;
}

function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(what);
}
function same(got: unknown, want: unknown, what: string): void {
  const g = JSON.stringify(got);
  const w = JSON.stringify(want);
  if (g !== w) throw new Error(what + ': got ' + g + ', want ' + w);
}

/** n bytes of a pattern that a shifted copy would not match */
export function pattern(n: number, seed: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 7 + (i >> 8) + seed) & 0xff;
  return b;
}
function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function stream(r: SelfRig): number {
  const s = r.api.socket(AddressFamily.AF_INET, SockType.SOCK_STREAM, 0);
  check(s > 0, 'socket() failed: ' + r.api.WSAGetLastError());
  return s;
}

function blocking(r: SelfRig): void {
  const l = r.net.listen({ ip: PEER_IP, port: 5000 });
  l.onAccept = function (p: VTcpPeer) {
    p.onData = function (b: Uint8Array) { p.send(b); };
    p.onFin = function () { p.fin(); };
  };
  const api = r.api;
  const s = stream(r);
  same(api.connect(s, PEER_IP, 5000), 0, 'blocking connect');
  const out = pattern(100, 1);
  same(api.send(s, out, 100, 0), 100, 'send');
  const buf = new Uint8Array(200);
  let got = 0;
  while (got < 100) {
    const n = api.recv(s, buf.subarray(got), 200 - got, 0);
    check(n > 0, 'recv of the echo returned ' + n + ' (error ' + api.WSAGetLastError() + ')');
    got += n;
  }
  check(equalBytes(buf.subarray(0, 100), out), 'the echo differs from what was sent');
  same(api.shutdown(s, ShutdownHow.SD_SEND), 0, 'shutdown(SD_SEND)');
  same(api.recv(s, buf, 200, 0), 0, 'recv after the peer FIN');
  let result: CloseResult | undefined;
  same(api.closesocket(s, function (x: CloseResult) { result = x; }), 0, 'closesocket');
  r.until(function () { return result !== undefined; }, 5000);
  same(result, { graceful: true, error: 0, unsentBytes: 0 }, 'the close');
  same(l.accepted[0].receivedBytes, 100, 'bytes at the peer');
  same(l.accepted[0].gotFin, true, 'FIN at the peer');
  r.run(50);
  same(r.freeHardwareSockets(), 8, 'free hardware sockets');
  l.close();
}

function lingerZero(r: SelfRig): void {
  const l = r.net.listen({ ip: PEER_IP, port: 5001 });
  const api = r.api;
  const s = stream(r);
  same(api.connect(s, PEER_IP, 5001), 0, 'connect');
  same(api.send(s, pattern(200, 2), 200, 0), 200, 'send');
  r.run(20);
  same(api.setsockopt(s, OptLevel.SOL_SOCKET, SockOpt.SO_LINGER, { onoff: 1, linger: 0 }), 0, 'SO_LINGER 0');
  let result: CloseResult | undefined;
  same(api.closesocket(s, function (x: CloseResult) { result = x; }), 0, 'closesocket');
  r.run(20);
  same(result, { graceful: false, error: WSAError.WSAECONNABORTED, unsentBytes: 0 }, 'the abortive close');
  const peer = l.accepted[0];
  same(peer.gotFin, false, 'no FIN');
  peer.send('x');
  r.run(20);
  same(peer.gotRst, true, 'the peer learns by RST on its next segment');
  same(r.freeHardwareSockets(), 8, 'free hardware sockets');
  l.close();
}

/** docs/socket-semantics.md §7: the device as client; the server answers after the request's FIN, then closes */
function sixStep(r: SelfRig): void {
  const l = r.net.listen({ ip: PEER_IP, port: 5555 });
  const response = pattern(300, 3);
  l.onAccept = function (p: VTcpPeer) {
    p.onFin = function () { p.send(response); p.fin(); };
  };
  const api = r.api;
  const s = stream(r);
  const events: string[] = [];
  const buf = new Uint8Array(512);
  let received = 0;
  let result: CloseResult | undefined;
  api.WSAAsyncSelect(s, function (h: number, ev: number, err: number) {
    events.push(fdEventName(ev) + ' ' + err);
    if (ev === FdEvent.FD_WRITE && events.length === 2) {
      events.push('send ' + api.send(h, pattern(64, 4), 64, 0));
      events.push('1 shutdown ' + api.shutdown(h, ShutdownHow.SD_SEND));
    }
    if (ev === FdEvent.FD_READ) {
      for (;;) {
        const n = api.recv(h, buf.subarray(received), 512 - received, 0);
        if (n <= 0) break;
        received += n;
      }
    }
    if (ev === FdEvent.FD_CLOSE) {
      events.push('recv ' + api.recv(h, buf, 512, 0));
      events.push('6 closesocket ' + api.closesocket(h, function (x: CloseResult) { result = x; }));
    }
  }, FdEvent.FD_CONNECT | FdEvent.FD_READ | FdEvent.FD_WRITE | FdEvent.FD_CLOSE);
  same(api.connect(s, PEER_IP, 5555), -1, 'non-blocking connect');
  same(api.WSAGetLastError(), WSAError.WSAEWOULDBLOCK, 'connect pending');
  r.until(function () { return result !== undefined; }, 5000);
  same(events, ['FD_CONNECT 0', 'FD_WRITE 0', 'send 64', '1 shutdown 0', 'FD_READ 0', 'FD_CLOSE 0', 'recv 0', '6 closesocket 0'], 'event order');
  same(received, 300, 'response bytes');
  check(equalBytes(buf.subarray(0, 300), response), 'the response differs');
  same(result, { graceful: true, error: 0, unsentBytes: 0 }, 'the close');
  r.run(50);
  same(r.freeHardwareSockets(), 8, 'free hardware sockets');
  l.close();
}

/** an echo server on the device; the peer holds a zero window, then drains: every byte echoed, in order */
function echoBackPressure(r: SelfRig): void {
  const api = r.api;
  const ls = stream(r);
  same(api.bind(ls, '0.0.0.0', 7), 0, 'bind');
  same(api.listen(ls, 1), 0, 'listen');
  same(api.ioctlsocket(ls, IoctlCmd.FIONBIO, 1), 0, 'FIONBIO');
  const buf = new Uint8Array(1024);
  let pending = new Uint8Array(0);
  let conn = -1;
  let echoed = 0;
  let closed: CloseResult | undefined;
  let peerDone = false;
  // the app's rule: send until it would block, keep what it did not take for FD_WRITE, read nothing meanwhile
  const pump = function (): void {
    for (;;) {
      if (pending.length === 0) {
        const n = api.recv(conn, buf, 1024, 0);
        if (n <= 0) break;
        pending = new Uint8Array(buf.subarray(0, n));
      }
      const k = api.send(conn, pending, pending.length, 0);
      if (k <= 0) return; // WSAEWOULDBLOCK: FD_WRITE follows
      echoed += k;
      pending = pending.subarray(k);
    }
    if (peerDone && pending.length === 0 && closed === undefined) api.closesocket(conn, function (x: CloseResult) { closed = x; });
  };
  api.WSAAsyncSelect(ls, function () {
    conn = api.accept(ls, undefined);
    api.WSAAsyncSelect(conn, function (h: number, ev: number) {
      if (ev === FdEvent.FD_CLOSE) peerDone = true;
      pump();
    }, FdEvent.FD_READ | FdEvent.FD_WRITE | FdEvent.FD_CLOSE);
  }, FdEvent.FD_ACCEPT);
  const peer = r.net.connect({ ip: PEER_IP, port: 40000 }, { ip: '192.168.1.20', port: 7 });
  r.run(5);
  peer.setZeroWindow(true);
  const data = pattern(6000, 5);
  peer.send(data);
  r.run(2000);
  check(peer.receivedBytes === 0, 'a zero window takes nothing');
  peer.setZeroWindow(false);
  r.until(function () { return peer.receivedBytes === 6000; }, 20000);
  same(peer.receivedBytes, 6000, 'bytes echoed');
  check(equalBytes(peer.received, data), 'the echo differs');
  peer.fin();
  r.until(function () { return closed !== undefined; }, 5000);
  same(closed, { graceful: true, error: 0, unsentBytes: 0 }, 'the close');
  same(echoed, 6000, 'bytes the device sent');
  api.closesocket(ls, undefined);
  r.run(50);
  same(r.freeHardwareSockets(), 8, 'free hardware sockets');
}

/** all eight hardware sockets held by closes the peers never finish: a new socket takes the oldest */
function reclaim(r: SelfRig): void {
  const l = r.net.listen({ ip: PEER_IP, port: 6000 });
  const api = r.api;
  const results: string[] = [];
  for (let i = 0; i < 8; i++) {
    const s = stream(r);
    same(api.connect(s, PEER_IP, 6000), 0, 'connect ' + i);
    const k = i;
    same(api.closesocket(s, function (x: CloseResult) { results.push(k + ' ' + x.graceful + ' ' + x.error); }), 0, 'closesocket ' + i);
    r.run(2);
  }
  same(r.freeHardwareSockets(), 0, 'closing sockets hold their hardware sockets');
  const s = stream(r);
  same(api.connect(s, PEER_IP, 6000), 0, 'connect with every hardware socket closing');
  r.run(1);
  same(results, ['0 false ' + WSAError.WSAENOBUFS], 'the oldest close was reclaimed');
  same(api.closesocket(s, undefined), 0, 'closesocket');
  // the seven closes the peers never finish end at the close bound (closeTimeout, 4 s) with CLOSE
  r.run(5000);
  same(r.freeHardwareSockets(), 8, 'free hardware sockets after the close bound');
  l.close();
}

export const SCENARIOS: Scenario[] = [
  { name: 'blocking connect, send, recv, shutdown(SD_SEND), recv 0, graceful closesocket', run: blocking },
  { name: 'SO_LINGER 0: abortive close, no FIN, RST on the peer’s next segment', run: lingerZero },
  { name: 'six-step teardown with WSAAsyncSelect, exact event order', run: sixStep },
  { name: 'echo under back-pressure (zero window, then draining)', run: echoBackPressure },
  { name: 'reclaim of a closing hardware socket', run: reclaim },
];
