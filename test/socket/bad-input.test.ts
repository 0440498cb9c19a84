/**
 * Bad input (§8): every call with junk arguments gets its Winsock error code, throws nothing, and
 * changes nothing — checked by a snapshot of everything observable, and by the connection still
 * carrying data afterwards.
 */
import assert from 'node:assert/strict';
import { AddressFamily, IoctlCmd, MsgFlag, OptLevel, ShutdownHow, SockOpt, SockType, TcpOpt } from '../../firmware/socket/constants';
import { WSAError } from '../../firmware/socket/errors';
import type { SocketLayer } from '../../firmware/socket/layer';
import { LOCAL, bytes, pair, rig, checkRigs } from './harness';
import type { Rig } from './harness';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Any = any;

function snapshot(r: Rig, handles: number[]): unknown {
  const ws = r.ws;
  const per = handles.map((h) => {
    const n = { value: -1 };
    const name = { addr: '', port: 0 };
    const peer = { addr: '', port: 0 };
    return {
      type: ws.getsockopt(h, OptLevel.SOL_SOCKET, SockOpt.SO_TYPE),
      linger: ws.getsockopt(h, OptLevel.SOL_SOCKET, SockOpt.SO_LINGER),
      keep: ws.getsockopt(h, OptLevel.SOL_SOCKET, SockOpt.SO_KEEPALIVE),
      rcv: ws.getsockopt(h, OptLevel.SOL_SOCKET, SockOpt.SO_RCVTIMEO),
      snd: ws.getsockopt(h, OptLevel.SOL_SOCKET, SockOpt.SO_SNDTIMEO),
      listening: ws.getsockopt(h, OptLevel.SOL_SOCKET, SockOpt.SO_ACCEPTCONN),
      fionread: ws.ioctlsocket(h, IoctlCmd.FIONREAD, n) === 0 ? n.value : -1,
      name: ws.getsockname(h, name) === 0 ? name : null,
      peer: ws.getpeername(h, peer) === 0 ? peer : null,
    };
  });
  return { per, open: ws.openSockets(), closing: ws.backgroundCloses(), inUse: r.t.inUse(), wire: r.t.wireLog.length };
}

describe('socket layer: bad input gets its error code and changes nothing', () => {
  afterEach(checkRigs);
  let r: Rig;
  let ws: SocketLayer;
  let l: number, s: number, c: number, u: number, fresh: number, closed: number;

  beforeEach(() => {
    r = rig();
    ws = r.api;
    [l, s, c] = pair(r);
    u = ws.socket(AddressFamily.AF_INET, SockType.SOCK_DGRAM, 0);
    ws.bind(u, LOCAL, 9000);
    fresh = ws.socket(AddressFamily.AF_INET, SockType.SOCK_STREAM, 0);
    closed = ws.socket(AddressFamily.AF_INET, SockType.SOCK_STREAM, 0);
    ws.closesocket(closed, undefined);
    ws.send(s, bytes(1, 2, 3), undefined, undefined);
    ws.setsockopt(c, OptLevel.SOL_SOCKET, SockOpt.SO_RCVTIMEO, 10);
    r.clock.advance(5);
  });

  function expectFail(what: string, call: () => unknown, code: number): void {
    ws.WSASetLastError(0);
    const before = snapshot(r, [l, s, c, u, fresh]);
    let ret: unknown;
    assert.doesNotThrow(() => { ret = call(); }, what);
    assert.equal(ret, -1, what + ': returns SOCKET_ERROR');
    assert.equal(ws.WSAGetLastError(), code, what + ': error code');
    assert.deepEqual(snapshot(r, [l, s, c, u, fresh]), before, what + ': nothing changed');
  }

  const junkHandles: Any[] = [0, -1, 9999, 1.5, NaN, '1', null, undefined, {}, []];

  it('a wrong, closed or junk handle: WSAENOTSOCK from every call', () => {
    const b = new Uint8Array(4);
    const o = { addr: '', port: 0 };
    for (const h of junkHandles.concat([closed])) {
      const calls: [string, () => unknown][] = [
        ['bind', () => ws.bind(h, LOCAL, 1)],
        ['listen', () => ws.listen(h, 1)],
        ['accept', () => ws.accept(h, undefined)],
        ['connect', () => ws.connect(h, LOCAL, 5000)],
        ['send', () => ws.send(h, b, undefined, undefined)],
        ['recv', () => ws.recv(h, b, undefined, undefined)],
        ['sendto', () => ws.sendto(h, b, undefined, undefined, LOCAL, 1)],
        ['recvfrom', () => ws.recvfrom(h, b, undefined, undefined, undefined)],
        ['shutdown', () => ws.shutdown(h, ShutdownHow.SD_BOTH)],
        ['WSASendDisconnect', () => ws.WSASendDisconnect(h, undefined)],
        ['closesocket', () => ws.closesocket(h, undefined)],
        ['setsockopt', () => ws.setsockopt(h, OptLevel.SOL_SOCKET, SockOpt.SO_KEEPALIVE, 1)],
        ['getsockopt', () => ws.getsockopt(h, OptLevel.SOL_SOCKET, SockOpt.SO_TYPE)],
        ['ioctlsocket', () => ws.ioctlsocket(h, IoctlCmd.FIONBIO, 1)],
        ['WSAAsyncSelect', () => ws.WSAAsyncSelect(h, () => {}, 1)],
        ['WSAEventSelect', () => ws.WSAEventSelect(h, 1, undefined)],
        ['WSAEnumNetworkEvents', () => ws.WSAEnumNetworkEvents(h, { lNetworkEvents: 0, iErrorCode: [] })],
        ['getpeername', () => ws.getpeername(h, o)],
        ['getsockname', () => ws.getsockname(h, o)],
      ];
      for (const [name, call] of calls) expectFail(name + '(' + String(h) + ')', call, WSAError.WSAENOTSOCK);
    }
  });

  it('socket(): unknown family, type, protocol', () => {
    expectFail('af 23', () => ws.socket(23, SockType.SOCK_STREAM, 0), WSAError.WSAEAFNOSUPPORT);
    expectFail('af junk', () => ws.socket('x' as Any, SockType.SOCK_STREAM, 0), WSAError.WSAEAFNOSUPPORT);
    expectFail('type 3 (SOCK_RAW)', () => ws.socket(2, 3, 0), WSAError.WSAESOCKTNOSUPPORT);
    expectFail('type junk', () => ws.socket(2, null as Any, 0), WSAError.WSAESOCKTNOSUPPORT);
    expectFail('UDP on a stream', () => ws.socket(2, SockType.SOCK_STREAM, 17), WSAError.WSAEPROTONOSUPPORT);
    expectFail('TCP on a datagram', () => ws.socket(2, SockType.SOCK_DGRAM, 6), WSAError.WSAEPROTONOSUPPORT);
  });

  it('bind / connect / sendto: bad address WSAEFAULT, out-of-range port WSAEINVAL, unusable address WSAEADDRNOTAVAIL, taken port WSAEADDRINUSE', () => {
    for (const a of ['1.2.3', '256.0.0.1', '1.2.3.4.5', 'a.b.c.d', '', ' 1.2.3.4', 5, null, {}] as Any[]) {
      expectFail('bind addr ' + JSON.stringify(a), () => ws.bind(fresh, a, 1), WSAError.WSAEFAULT);
      expectFail('connect addr ' + JSON.stringify(a), () => ws.connect(fresh, a, 1), WSAError.WSAEFAULT);
      expectFail('sendto addr ' + JSON.stringify(a), () => ws.sendto(u, bytes(1), undefined, undefined, a, 1), WSAError.WSAEFAULT);
    }
    for (const p of [-1, 65536, 1.5, NaN, '80', null, undefined, Infinity] as Any[]) {
      expectFail('bind port ' + String(p), () => ws.bind(fresh, LOCAL, p), WSAError.WSAEINVAL);
      expectFail('connect port ' + String(p), () => ws.connect(fresh, LOCAL, p), WSAError.WSAEINVAL);
      expectFail('sendto port ' + String(p), () => ws.sendto(u, bytes(1), undefined, undefined, LOCAL, p), WSAError.WSAEINVAL);
    }
    expectFail('bind a foreign address', () => ws.bind(fresh, '10.0.0.2', 1), WSAError.WSAEADDRNOTAVAIL);
    expectFail('connect to INADDR_ANY', () => ws.connect(fresh, '0.0.0.0', 80), WSAError.WSAEADDRNOTAVAIL);
    expectFail('connect to port 0', () => ws.connect(fresh, LOCAL, 0), WSAError.WSAEADDRNOTAVAIL);
    expectFail('sendto port 0', () => ws.sendto(u, bytes(1), undefined, undefined, LOCAL, 0), WSAError.WSAEADDRNOTAVAIL);
    expectFail('bind a taken port', () => ws.bind(fresh, LOCAL, 5000), WSAError.WSAEADDRINUSE);
    expectFail('bind twice', () => ws.bind(u, LOCAL, 9001), WSAError.WSAEINVAL);
  });

  it('send / recv / sendto / recvfrom: buffer not a Uint8Array or too short WSAEFAULT, bad length WSAEINVAL, flags WSAEOPNOTSUPP', () => {
    const bufs: Any[] = [[1, 2], 'abc', null, undefined, new Uint16Array(2), new ArrayBuffer(2), new Int8Array(2), { length: 2 }];
    for (const b of bufs) {
      expectFail('send buf ' + String(b), () => ws.send(c, b, undefined, undefined), WSAError.WSAEFAULT);
      expectFail('recv buf ' + String(b), () => ws.recv(c, b, undefined, undefined), WSAError.WSAEFAULT);
      expectFail('sendto buf ' + String(b), () => ws.sendto(u, b, undefined, undefined, LOCAL, 1), WSAError.WSAEFAULT);
      expectFail('recvfrom buf ' + String(b), () => ws.recvfrom(u, b, undefined, undefined, undefined), WSAError.WSAEFAULT);
    }
    const b4 = new Uint8Array(4);
    for (const n of [-1, 1.5, NaN, '2', null, -Infinity] as Any[]) {
      expectFail('send len ' + String(n), () => ws.send(c, b4, n, undefined), WSAError.WSAEINVAL);
      expectFail('recv len ' + String(n), () => ws.recv(c, b4, n, undefined), WSAError.WSAEINVAL);
      expectFail('sendto len ' + String(n), () => ws.sendto(u, b4, n, undefined, LOCAL, 1), WSAError.WSAEINVAL);
      expectFail('recvfrom len ' + String(n), () => ws.recvfrom(u, b4, n, undefined, undefined), WSAError.WSAEINVAL);
    }
    expectFail('send len > buffer', () => ws.send(c, b4, 5, undefined), WSAError.WSAEFAULT);
    expectFail('recv len > buffer', () => ws.recv(c, b4, 5, undefined), WSAError.WSAEFAULT);
    for (const f of [MsgFlag.MSG_OOB, MsgFlag.MSG_PEEK, MsgFlag.MSG_DONTROUTE, 'x'] as Any[]) {
      expectFail('send flags ' + String(f), () => ws.send(c, b4, undefined, f), WSAError.WSAEOPNOTSUPP);
      expectFail('recv flags ' + String(f), () => ws.recv(c, b4, undefined, f), WSAError.WSAEOPNOTSUPP);
    }
    expectFail('recvfrom from junk', () => ws.recvfrom(u, b4, undefined, undefined, 5 as Any), WSAError.WSAEFAULT);
  });

  it('state errors: not connected WSAENOTCONN, listen/accept misuse WSAEINVAL/WSAEOPNOTSUPP/WSAEISCONN', () => {
    const b = new Uint8Array(4);
    expectFail('send unconnected', () => ws.send(fresh, b, undefined, undefined), WSAError.WSAENOTCONN);
    expectFail('recv unconnected', () => ws.recv(fresh, b, undefined, undefined), WSAError.WSAENOTCONN);
    expectFail('recv on a listener', () => ws.recv(l, b, undefined, undefined), WSAError.WSAENOTCONN);
    expectFail('listen unbound', () => ws.listen(fresh, 1), WSAError.WSAEINVAL);
    expectFail('listen connected', () => ws.listen(c, 1), WSAError.WSAEISCONN);
    expectFail('listen backlog junk', () => ws.listen(fresh, 'x' as Any), WSAError.WSAEINVAL);
    expectFail('listen datagram', () => ws.listen(u, 1), WSAError.WSAEOPNOTSUPP);
    expectFail('accept not listening', () => ws.accept(c, undefined), WSAError.WSAEINVAL);
    expectFail('accept datagram', () => ws.accept(u, undefined), WSAError.WSAEOPNOTSUPP);
    expectFail('accept from junk', () => ws.accept(l, 5 as Any), WSAError.WSAEFAULT);
    expectFail('connect connected', () => ws.connect(c, LOCAL, 5000), WSAError.WSAEISCONN);
    expectFail('connect listening', () => ws.connect(l, LOCAL, 5000), WSAError.WSAEINVAL);
    expectFail('getpeername unconnected', () => ws.getpeername(fresh, { addr: '', port: 0 }), WSAError.WSAENOTCONN);
    expectFail('getsockname unbound', () => ws.getsockname(fresh, { addr: '', port: 0 }), WSAError.WSAEINVAL);
    expectFail('getpeername out junk', () => ws.getpeername(c, null as Any), WSAError.WSAEFAULT);
    expectFail('getsockname out junk', () => ws.getsockname(c, 'x' as Any), WSAError.WSAEFAULT);
  });

  it('shutdown / WSASendDisconnect / closesocket: bad how WSAEINVAL, junk data WSAEFAULT, junk done WSAEFAULT', () => {
    for (const how of [3, -1, 1.5, '1', null, undefined] as Any[]) expectFail('how ' + String(how), () => ws.shutdown(c, how), WSAError.WSAEINVAL);
    expectFail('disconnect data junk', () => ws.WSASendDisconnect(c, 'bye' as Any), WSAError.WSAEFAULT);
    expectFail('disconnect data', () => ws.WSASendDisconnect(c, bytes(1)), WSAError.WSAENOPROTOOPT);
    expectFail('WSASendDisconnect on UDP', () => ws.WSASendDisconnect(u, undefined), WSAError.WSAEOPNOTSUPP);
    expectFail('closesocket done junk', () => ws.closesocket(c, 5 as Any), WSAError.WSAEFAULT);
  });

  it('setsockopt / getsockopt: unknown level WSAEINVAL, unknown option WSAENOPROTOOPT, bad value WSAEFAULT', () => {
    expectFail('set level junk', () => ws.setsockopt(c, 7, SockOpt.SO_KEEPALIVE, 1), WSAError.WSAEINVAL);
    expectFail('get level junk', () => ws.getsockopt(c, 7, SockOpt.SO_KEEPALIVE), WSAError.WSAEINVAL);
    expectFail('set unknown option', () => ws.setsockopt(c, OptLevel.SOL_SOCKET, 0x4242, 1), WSAError.WSAENOPROTOOPT);
    expectFail('get unknown option', () => ws.getsockopt(c, OptLevel.SOL_SOCKET, 0x4242), WSAError.WSAENOPROTOOPT);
    expectFail('set SO_TYPE', () => ws.setsockopt(c, OptLevel.SOL_SOCKET, SockOpt.SO_TYPE, 2), WSAError.WSAENOPROTOOPT);
    expectFail('set SO_ERROR', () => ws.setsockopt(c, OptLevel.SOL_SOCKET, SockOpt.SO_ERROR, 0), WSAError.WSAENOPROTOOPT);
    expectFail('unknown TCP option', () => ws.setsockopt(c, OptLevel.IPPROTO_TCP, 0x77, 1), WSAError.WSAENOPROTOOPT);
    expectFail('SO_LINGER on UDP', () => ws.setsockopt(u, OptLevel.SOL_SOCKET, SockOpt.SO_LINGER, { onoff: 1, linger: 1 }), WSAError.WSAENOPROTOOPT);
    expectFail('get SO_LINGER on UDP', () => ws.getsockopt(u, OptLevel.SOL_SOCKET, SockOpt.SO_LINGER), WSAError.WSAENOPROTOOPT);
    expectFail('TCP_NODELAY on UDP', () => ws.setsockopt(u, OptLevel.IPPROTO_TCP, TcpOpt.TCP_NODELAY, 1), WSAError.WSAENOPROTOOPT);
    const lingers: Any[] = [5, null, 'x', { onoff: 1 }, { onoff: 1, linger: -1 }, { onoff: 'x', linger: 1 }, { onoff: 1, linger: 70000 }, { onoff: 1, linger: 1.5 }];
    for (const v of lingers) expectFail('SO_LINGER ' + JSON.stringify(v), () => ws.setsockopt(c, OptLevel.SOL_SOCKET, SockOpt.SO_LINGER, v), WSAError.WSAEFAULT);
    for (const v of [-5, 1.5, 'x', null] as Any[]) {
      expectFail('SO_RCVTIMEO ' + String(v), () => ws.setsockopt(c, OptLevel.SOL_SOCKET, SockOpt.SO_RCVTIMEO, v), WSAError.WSAEFAULT);
      expectFail('SO_SNDTIMEO ' + String(v), () => ws.setsockopt(c, OptLevel.SOL_SOCKET, SockOpt.SO_SNDTIMEO, v), WSAError.WSAEFAULT);
    }
    for (const v of ['x', null, {}, NaN] as Any[]) {
      expectFail('SO_KEEPALIVE ' + String(v), () => ws.setsockopt(c, OptLevel.SOL_SOCKET, SockOpt.SO_KEEPALIVE, v), WSAError.WSAEFAULT);
      expectFail('SO_DONTLINGER ' + String(v), () => ws.setsockopt(c, OptLevel.SOL_SOCKET, SockOpt.SO_DONTLINGER, v), WSAError.WSAEFAULT);
      expectFail('TCP_NODELAY ' + String(v), () => ws.setsockopt(c, OptLevel.IPPROTO_TCP, TcpOpt.TCP_NODELAY, v), WSAError.WSAEFAULT);
    }
  });

  it('ioctlsocket and event selection: unknown command, junk argument, junk event mask or handler', () => {
    expectFail('unknown ioctl', () => ws.ioctlsocket(c, 0x1234, 1), WSAError.WSAEINVAL);
    expectFail('FIONREAD arg junk', () => ws.ioctlsocket(c, IoctlCmd.FIONREAD, 5), WSAError.WSAEFAULT);
    expectFail('FIONREAD arg null', () => ws.ioctlsocket(c, IoctlCmd.FIONREAD, null as Any), WSAError.WSAEFAULT);
    expectFail('FIONBIO arg junk', () => ws.ioctlsocket(c, IoctlCmd.FIONBIO, 'x' as Any), WSAError.WSAEFAULT);
    for (const ev of [-1, 0x400, 1.5, 'x', null] as Any[]) {
      expectFail('WSAAsyncSelect events ' + String(ev), () => ws.WSAAsyncSelect(c, () => {}, ev), WSAError.WSAEINVAL);
      expectFail('WSAEventSelect events ' + String(ev), () => ws.WSAEventSelect(c, ev, undefined), WSAError.WSAEINVAL);
    }
    expectFail('WSAAsyncSelect handler junk', () => ws.WSAAsyncSelect(c, 'x' as Any, 1), WSAError.WSAEINVAL);
    expectFail('WSAEventSelect signal junk', () => ws.WSAEventSelect(c, 1, 5 as Any), WSAError.WSAEINVAL);
    expectFail('WSAEnumNetworkEvents out junk', () => ws.WSAEnumNetworkEvents(c, 5 as Any), WSAError.WSAEFAULT);
  });

  afterEach(() => {
    // the connection still works, the socket is still blocking (recv waits SO_RCVTIMEO, not WSAEWOULDBLOCK)
    const b = new Uint8Array(8);
    assert.equal(ws.recv(c, b, undefined, undefined), 3);
    assert.deepEqual([...b.subarray(0, 3)], [1, 2, 3]);
    assert.equal(ws.recv(c, b, undefined, undefined), -1);
    assert.equal(ws.WSAGetLastError(), WSAError.WSAETIMEDOUT);
    assert.equal(ws.send(c, bytes(7), undefined, undefined), 1);
    r.clock.advance(5);
    assert.equal(ws.recv(s, b, undefined, undefined), 1);
    assert.equal(b[0], 7);
  });
});
