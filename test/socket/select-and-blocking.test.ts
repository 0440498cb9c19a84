/** Non-blocking and blocking behaviour, WSAAsyncSelect / WSAEventSelect over the loopback test double (§2, §5). */
import assert from 'node:assert/strict';
import { FdEvent, IoctlCmd, OptLevel, SockOpt, SockType, TcpOpt } from '../../firmware/socket/constants';
import { WSAError } from '../../firmware/socket/errors';
import type { SockAddr, WSANETWORKEVENTS } from '../../firmware/socket/types';
import { TOption } from '../../firmware/transport/transport';
import { LOCAL, bytes, logger, pair, rig, checkRigs } from './harness';

describe('socket layer: non-blocking connect and FD_CONNECT / FD_WRITE', () => {
  afterEach(checkRigs);
  it('connect → WSAEWOULDBLOCK, then FD_CONNECT 0 and FD_WRITE 0; a second connect meanwhile → WSAEALREADY, after → WSAEISCONN', () => {
    const r = rig({ latency: 10 });
    const ws = r.api;
    const l = ws.socket(2, SockType.SOCK_STREAM, 0);
    ws.bind(l, LOCAL, 7000);
    ws.listen(l, 1);
    const c = ws.socket(2, SockType.SOCK_STREAM, 0);
    assert.equal(ws.WSAAsyncSelect(c, logger(r, 'cli'), FdEvent.FD_CONNECT | FdEvent.FD_WRITE | FdEvent.FD_CLOSE), 0);
    assert.equal(ws.connect(c, LOCAL, 7000), -1);
    assert.equal(ws.WSAGetLastError(), WSAError.WSAEWOULDBLOCK);
    assert.equal(ws.connect(c, LOCAL, 7000), -1);
    assert.equal(ws.WSAGetLastError(), WSAError.WSAEALREADY);
    assert.equal(ws.send(c, bytes(1), undefined, undefined), -1);
    assert.equal(ws.WSAGetLastError(), WSAError.WSAENOTCONN);
    r.clock.advance(9);
    assert.deepEqual(r.log, []);
    r.clock.advance(1);
    assert.deepEqual(r.log, ['cli FD_CONNECT 0', 'cli FD_WRITE 0']);
    assert.equal(ws.connect(c, LOCAL, 7000), -1);
    assert.equal(ws.WSAGetLastError(), WSAError.WSAEISCONN);
    assert.equal(r.inCall.violations, 0);
  });

  it('refused: FD_CONNECT WSAECONNREFUSED and SO_ERROR; blocking connect fails WSAECONNREFUSED', () => {
    const r = rig();
    const ws = r.api;
    const c = ws.socket(2, SockType.SOCK_STREAM, 0);
    ws.WSAAsyncSelect(c, logger(r, 'cli'), FdEvent.FD_CONNECT);
    ws.connect(c, LOCAL, 7001);
    r.clock.advance(5);
    assert.deepEqual(r.log, ['cli FD_CONNECT 10061']);
    assert.equal(ws.getsockopt(c, OptLevel.SOL_SOCKET, SockOpt.SO_ERROR), WSAError.WSAECONNREFUSED);
    const b = ws.socket(2, SockType.SOCK_STREAM, 0);
    assert.equal(ws.connect(b, LOCAL, 7001), -1);
    assert.equal(ws.WSAGetLastError(), WSAError.WSAECONNREFUSED);
    // a retry is a new connection: FD_CONNECT comes again
    const l = ws.socket(2, SockType.SOCK_STREAM, 0);
    ws.bind(l, LOCAL, 7001);
    ws.listen(l, 1);
    assert.equal(ws.connect(c, LOCAL, 7001), -1);
    assert.equal(ws.WSAGetLastError(), WSAError.WSAEWOULDBLOCK);
    r.clock.advance(5);
    assert.deepEqual(r.log, ['cli FD_CONNECT 10061', 'cli FD_CONNECT 0']);
  });

  it('blocking connect gives up after SO_SNDTIMEO with WSAETIMEDOUT, measured on the HAL clock', () => {
    const r = rig({ latency: 100000 });
    const ws = r.api;
    const c = ws.socket(2, SockType.SOCK_STREAM, 0);
    assert.equal(ws.setsockopt(c, OptLevel.SOL_SOCKET, SockOpt.SO_SNDTIMEO, 250), 0);
    const t0 = r.clock.now();
    assert.equal(ws.connect(c, LOCAL, 7002), -1);
    assert.equal(ws.WSAGetLastError(), WSAError.WSAETIMEDOUT);
    assert.equal(r.clock.now() - t0, 250);
  });

  it('FD_WRITE comes back only after a send failed WSAEWOULDBLOCK and room came back', () => {
    const r = rig({ txCap: 10, rxCap: 10 });
    const ws = r.api;
    const [, s, c] = pair(r);
    ws.WSAAsyncSelect(c, logger(r, 'cli'), FdEvent.FD_WRITE);
    r.clock.advance(1);
    assert.deepEqual(r.log, ['cli FD_WRITE 0']);
    assert.equal(ws.send(c, new Uint8Array(25), undefined, undefined), 10, 'partial: what fits');
    r.clock.advance(5); // 10 bytes move to the peer's window; room again, but no WSAEWOULDBLOCK yet
    assert.deepEqual(r.log, ['cli FD_WRITE 0']);
    assert.equal(ws.send(c, new Uint8Array(25), undefined, undefined), 10);
    assert.equal(ws.send(c, new Uint8Array(25), undefined, undefined), -1);
    assert.equal(ws.WSAGetLastError(), WSAError.WSAEWOULDBLOCK);
    r.clock.advance(5);
    assert.deepEqual(r.log, ['cli FD_WRITE 0'], 'the peer window is full: no room yet');
    assert.equal(ws.recv(s, new Uint8Array(10), undefined, undefined), 10);
    r.clock.advance(5);
    assert.deepEqual(r.log, ['cli FD_WRITE 0', 'cli FD_WRITE 0']);
  });

  it('blocking send waits for room and hands over everything', () => {
    const r = rig({ txCap: 10, rxCap: 1000 });
    const ws = r.api;
    const [, s, c] = pair(r);
    const data = new Uint8Array(95).map((_, i) => i);
    assert.equal(ws.send(c, data, undefined, undefined), 95);
    r.clock.advance(5);
    const b = new Uint8Array(200);
    assert.equal(ws.recv(s, b, undefined, undefined), 95);
    assert.deepEqual([...b.subarray(0, 95)], [...data]);
  });
});

describe('socket layer: blocking recv and accept', () => {
  afterEach(checkRigs);
  it('blocking recv waits for data; with SO_RCVTIMEO it fails WSAETIMEDOUT after exactly the bound', () => {
    const r = rig();
    const ws = r.api;
    const [l, s, c] = pair(r);
    ws.setsockopt(c, OptLevel.SOL_SOCKET, SockOpt.SO_RCVTIMEO, 300);
    const t0 = r.clock.now();
    assert.equal(ws.recv(c, new Uint8Array(4), undefined, undefined), -1);
    assert.equal(ws.WSAGetLastError(), WSAError.WSAETIMEDOUT);
    assert.equal(r.clock.now() - t0, 300);
    ws.send(s, bytes(4, 5), undefined, undefined);
    const b = new Uint8Array(4);
    assert.equal(ws.recv(c, b, undefined, undefined), 2);
    assert.deepEqual([...b.subarray(0, 2)], [4, 5]);
    ws.setsockopt(l, OptLevel.SOL_SOCKET, SockOpt.SO_RCVTIMEO, 50);
    assert.equal(ws.accept(l, undefined), -1);
    assert.equal(ws.WSAGetLastError(), WSAError.WSAETIMEDOUT);
  });

  it('non-blocking recv and accept: WSAEWOULDBLOCK', () => {
    const r = rig();
    const ws = r.api;
    const [l, , c] = pair(r);
    ws.ioctlsocket(c, IoctlCmd.FIONBIO, 1);
    ws.ioctlsocket(l, IoctlCmd.FIONBIO, { value: 1 });
    assert.equal(ws.recv(c, new Uint8Array(4), undefined, undefined), -1);
    assert.equal(ws.WSAGetLastError(), WSAError.WSAEWOULDBLOCK);
    assert.equal(ws.accept(l, undefined), -1);
    assert.equal(ws.WSAGetLastError(), WSAError.WSAEWOULDBLOCK);
  });

  it('FD_ACCEPT is re-enabled by accept; the accepted socket inherits the selection and gets FD_WRITE; accept fills the peer address', () => {
    const r = rig();
    const ws = r.api;
    const l = ws.socket(2, SockType.SOCK_STREAM, 0);
    ws.bind(l, LOCAL, 7100);
    ws.listen(l, 3);
    const seen: number[] = [];
    ws.WSAAsyncSelect(l, logger(r, 'L', (h) => seen.push(h)), FdEvent.FD_ACCEPT | FdEvent.FD_WRITE | FdEvent.FD_READ);
    const peers = [r.t.rawConnect(7100, 41000), r.t.rawConnect(7100, 41001)];
    r.clock.advance(5);
    assert.deepEqual(r.log, ['L FD_ACCEPT 0'], 'two pending, one FD_ACCEPT');
    const from: SockAddr = { addr: '', port: 0 };
    const a = ws.accept(l, from);
    assert.equal(a, 2, 'the next handle after the listener');
    assert.deepEqual(from, { addr: '10.0.0.1', port: 41000 });
    r.clock.advance(5);
    assert.deepEqual(r.log, ['L FD_ACCEPT 0', 'L FD_ACCEPT 0', 'L FD_WRITE 0'], 'the listener: FD_ACCEPT again; the new socket: FD_WRITE');
    assert.deepEqual(seen, [l, l, a]);
    peers[0].send(bytes(1));
    r.clock.advance(5);
    assert.deepEqual(r.log.slice(3), ['L FD_READ 0']);
    assert.deepEqual(seen.slice(3), [a]);
    const peer: SockAddr = { addr: '', port: 0 };
    assert.equal(ws.getpeername(a, peer), 0);
    assert.deepEqual(peer, { addr: '10.0.0.1', port: 41000 });
    const me: SockAddr = { addr: '', port: 0 };
    assert.equal(ws.getsockname(a, me), 0);
    assert.deepEqual(me, { addr: '10.0.0.1', port: 7100 });
  });
});

describe('socket layer: WSAEventSelect and options', () => {
  afterEach(checkRigs);
  it('WSAEnumNetworkEvents returns occurred events with their errors and clears them', () => {
    const r = rig();
    const ws = r.api;
    const [, s, c] = pair(r);
    let signals = 0;
    assert.equal(ws.WSAEventSelect(c, FdEvent.FD_READ | FdEvent.FD_WRITE | FdEvent.FD_CLOSE, () => { signals++; }), 0);
    ws.send(s, bytes(1, 2), undefined, undefined);
    r.clock.advance(5);
    // one turn of the event loop pumps the transport (the byte arrives) and settles: FD_WRITE (recorded at
    // selection) and FD_READ are both set by then, and the event is signalled once for the two
    assert.equal(signals, 1, 'signalled once, from the event loop, for FD_WRITE and FD_READ');
    const ne: WSANETWORKEVENTS = { lNetworkEvents: 0, iErrorCode: [] };
    assert.equal(ws.WSAEnumNetworkEvents(c, ne), 0);
    assert.equal(ne.lNetworkEvents, FdEvent.FD_READ | FdEvent.FD_WRITE);
    assert.deepEqual(ne.iErrorCode, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    assert.equal(ws.WSAEnumNetworkEvents(c, ne), 0);
    assert.equal(ne.lNetworkEvents, 0, 'cleared; FD_READ waits for recv');
    ws.setsockopt(s, OptLevel.SOL_SOCKET, SockOpt.SO_LINGER, { onoff: 1, linger: 0 });
    ws.closesocket(s, undefined);
    r.clock.advance(5);
    assert.equal(ws.WSAEnumNetworkEvents(c, ne), 0);
    assert.equal(ne.lNetworkEvents, FdEvent.FD_CLOSE);
    assert.equal(ne.iErrorCode[5], WSAError.WSAECONNRESET);
  });

  it('FIONBIO 0 while a selection is active fails WSAEINVAL; FIONREAD counts readable bytes', () => {
    const r = rig();
    const ws = r.api;
    const [, s, c] = pair(r);
    ws.WSAEventSelect(c, FdEvent.FD_READ, undefined);
    assert.equal(ws.ioctlsocket(c, IoctlCmd.FIONBIO, 0), -1);
    assert.equal(ws.WSAGetLastError(), WSAError.WSAEINVAL);
    ws.WSAEventSelect(c, 0, undefined);
    assert.equal(ws.ioctlsocket(c, IoctlCmd.FIONBIO, 0), 0);
    ws.send(s, bytes(1, 2, 3), undefined, undefined);
    r.clock.advance(5);
    const arg = { value: -1 };
    assert.equal(ws.ioctlsocket(c, IoctlCmd.FIONREAD, arg), 0);
    assert.equal(arg.value, 3);
  });

  it('SO_KEEPALIVE and TCP_NODELAY reach the transport; SO_TYPE, SO_ACCEPTCONN, timeouts read back', () => {
    const r = rig();
    const ws = r.api;
    const [l, , c] = pair(r);
    const ep = r.t.endpointTo(5000);
    assert.equal(ws.setsockopt(c, OptLevel.SOL_SOCKET, SockOpt.SO_KEEPALIVE, true), 0);
    assert.equal(ws.setsockopt(c, OptLevel.IPPROTO_TCP, TcpOpt.TCP_NODELAY, 1), 0);
    assert.equal(r.t.optionsOf(ep)[TOption.KeepAlive], 60);
    assert.equal(r.t.optionsOf(ep)[TOption.NoDelay], 1);
    assert.equal(ws.getsockopt(c, OptLevel.SOL_SOCKET, SockOpt.SO_KEEPALIVE), 1);
    assert.equal(ws.getsockopt(c, OptLevel.IPPROTO_TCP, TcpOpt.TCP_NODELAY), 1);
    assert.equal(ws.getsockopt(c, OptLevel.SOL_SOCKET, SockOpt.SO_TYPE), SockType.SOCK_STREAM);
    assert.equal(ws.getsockopt(l, OptLevel.SOL_SOCKET, SockOpt.SO_ACCEPTCONN), 1);
    assert.equal(ws.getsockopt(c, OptLevel.SOL_SOCKET, SockOpt.SO_ACCEPTCONN), 0);
    ws.setsockopt(c, OptLevel.SOL_SOCKET, SockOpt.SO_RCVTIMEO, 1234);
    assert.equal(ws.getsockopt(c, OptLevel.SOL_SOCKET, SockOpt.SO_RCVTIMEO), 1234);
    assert.equal(ws.getsockopt(c, OptLevel.SOL_SOCKET, SockOpt.SO_SNDTIMEO), 0);
  });

  it('a handler that throws does not stop other notifications', () => {
    const lines: string[] = [];
    const r = rig({}, { log: (x) => lines.push(x) });
    const ws = r.api;
    const [, s, c] = pair(r);
    ws.WSAAsyncSelect(c, () => { throw new Error('boom'); }, FdEvent.FD_READ);
    ws.WSAAsyncSelect(s, logger(r, 'srv'), FdEvent.FD_READ);
    ws.send(s, bytes(1), undefined, undefined);
    ws.send(c, bytes(1), undefined, undefined);
    r.clock.advance(5);
    assert.deepEqual(r.log, ['srv FD_READ 0']);
    assert.deepEqual(lines, ['FD handler threw: Error: boom']);
  });
});
