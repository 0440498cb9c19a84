/** SOCK_SEQPACKET (§6) and SOCK_DGRAM through the socket layer, over the loopback test double. */
import assert from 'node:assert/strict';
import { FdEvent, IoctlCmd, ShutdownHow, SockType } from '../../firmware/socket/constants';
import { WSAError } from '../../firmware/socket/errors';
import type { SockAddr } from '../../firmware/socket/types';
import { LOCAL, bytes, logger, pair, rig, checkRigs } from './harness';

const SEQ = SockType.SOCK_SEQPACKET;

describe('socket layer: SOCK_SEQPACKET', () => {
  afterEach(checkRigs);
  it('each send is one message; recv returns one whole message; a zero-length message is a message', () => {
    const r = rig({ rxCap: 5, txCap: 5 }); // messages cross many small transport chunks
    const ws = r.api;
    const [, s, c] = pair(r, SEQ);
    assert.equal(ws.send(c, bytes(1, 2, 3, 4, 5, 6, 7), undefined, undefined), 7);
    assert.equal(ws.send(c, new Uint8Array(0), undefined, undefined), 0);
    assert.equal(ws.send(c, bytes(9), undefined, undefined), 1);
    const b = new Uint8Array(16);
    ws.setsockopt(s, 0xffff, 0x1006, 1000);
    assert.equal(ws.recv(s, b, undefined, undefined), 7);
    assert.deepEqual([...b.subarray(0, 7)], [1, 2, 3, 4, 5, 6, 7]);
    assert.equal(ws.recv(s, b, undefined, undefined), 0, 'the empty message');
    const arg = { value: -1 };
    r.clock.advance(20);
    ws.ioctlsocket(s, IoctlCmd.FIONREAD, arg);
    assert.equal(arg.value, 1, 'FIONREAD: size of the next whole message');
    assert.equal(ws.recv(s, b, undefined, undefined), 1);
    assert.equal(b[0], 9);
  });

  it('a buffer too small: WSAEMSGSIZE, the first bytes copied, the rest of the message gone', () => {
    const r = rig();
    const ws = r.api;
    const [, s, c] = pair(r, SEQ);
    ws.send(c, bytes(1, 2, 3, 4), undefined, undefined);
    ws.send(c, bytes(5), undefined, undefined);
    r.clock.advance(5);
    const b = new Uint8Array(4).fill(0xee);
    assert.equal(ws.recv(s, b, 2, undefined), -1);
    assert.equal(ws.WSAGetLastError(), WSAError.WSAEMSGSIZE);
    assert.deepEqual([...b], [1, 2, 0xee, 0xee]);
    assert.equal(ws.recv(s, b, undefined, undefined), 1);
    assert.equal(b[0], 5);
  });

  it('a message longer than maxMessage: send WSAEMSGSIZE; received ones are cut to maxMessage with WSAEMSGSIZE', () => {
    const r = rig({}, { maxMessage: 8 });
    const ws = r.api;
    const [, s] = pair(r, SEQ);
    assert.equal(ws.send(s, new Uint8Array(9), undefined, undefined), -1);
    assert.equal(ws.WSAGetLastError(), WSAError.WSAEMSGSIZE);
    const l2 = ws.socket(2, SEQ, 0);
    ws.bind(l2, LOCAL, 5100);
    ws.listen(l2, 1);
    const raw = r.t.rawConnect(5100);
    const a = ws.accept(l2, undefined);
    raw.send(bytes(0, 0, 0, 10, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 0, 0, 1, 42));
    r.clock.advance(5);
    const b = new Uint8Array(20);
    assert.equal(ws.recv(a, b, undefined, undefined), -1);
    assert.equal(ws.WSAGetLastError(), WSAError.WSAEMSGSIZE);
    assert.deepEqual([...b.subarray(0, 9)], [0, 1, 2, 3, 4, 5, 6, 7, 0]);
    assert.equal(ws.recv(a, b, undefined, undefined), 1);
    assert.equal(b[0], 42);
  });

  it('the wire carries the framing byte-exactly, both ways, with frames split anywhere', () => {
    const r = rig();
    const ws = r.api;
    const l = ws.socket(2, SEQ, 0);
    ws.bind(l, LOCAL, 5200);
    ws.listen(l, 1);
    const raw = r.t.rawConnect(5200);
    const a = ws.accept(l, undefined);
    assert.equal(ws.send(a, bytes(0xca, 0xfe), undefined, undefined), 2);
    assert.equal(ws.send(a, new Uint8Array(0), undefined, undefined), 0);
    r.clock.advance(5);
    assert.deepEqual([...raw.read()], [0, 0, 0, 2, 0xca, 0xfe, 0, 0, 0, 0]);
    raw.send(bytes(0, 0));
    r.clock.advance(5);
    ws.ioctlsocket(a, IoctlCmd.FIONBIO, 1);
    assert.equal(ws.recv(a, new Uint8Array(8), undefined, undefined), -1);
    assert.equal(ws.WSAGetLastError(), WSAError.WSAEWOULDBLOCK, 'half a header is no message');
    raw.send(bytes(0, 3, 7, 8));
    r.clock.advance(5);
    assert.equal(ws.recv(a, new Uint8Array(8), undefined, undefined), -1);
    assert.equal(ws.WSAGetLastError(), WSAError.WSAEWOULDBLOCK, 'nor part of a message');
    raw.send(bytes(9));
    r.clock.advance(5);
    const b = new Uint8Array(8);
    assert.equal(ws.recv(a, b, undefined, undefined), 3);
    assert.deepEqual([...b.subarray(0, 3)], [7, 8, 9]);
  });

  it('graceful end: FD_READ per message first, then FD_CLOSE 0; recv fails WSAEDISCON, every time', () => {
    const r = rig();
    const ws = r.api;
    const [, s, c] = pair(r, SEQ);
    ws.WSAAsyncSelect(s, logger(r, 'srv'), FdEvent.FD_READ | FdEvent.FD_CLOSE);
    ws.send(c, bytes(1), undefined, undefined);
    ws.send(c, bytes(2, 2), undefined, undefined);
    ws.shutdown(c, ShutdownHow.SD_SEND);
    r.clock.advance(5);
    assert.deepEqual(r.log, ['srv FD_READ 0']);
    const b = new Uint8Array(4);
    assert.equal(ws.recv(s, b, undefined, undefined), 1);
    r.clock.advance(5);
    assert.deepEqual(r.log, ['srv FD_READ 0', 'srv FD_READ 0']);
    assert.equal(ws.recv(s, b, undefined, undefined), 2);
    r.clock.advance(5);
    assert.deepEqual(r.log, ['srv FD_READ 0', 'srv FD_READ 0', 'srv FD_CLOSE 0']);
    for (let i = 0; i < 2; i++) {
      assert.equal(ws.recv(s, b, undefined, undefined), -1);
      assert.equal(ws.WSAGetLastError(), WSAError.WSAEDISCON);
    }
  });

  it('non-blocking: a second message while the first is still being handed over → WSAEWOULDBLOCK, then FD_WRITE', () => {
    const r = rig({ txCap: 4, rxCap: 4 });
    const ws = r.api;
    const [, s, c] = pair(r, SEQ);
    ws.WSAAsyncSelect(c, logger(r, 'cli'), FdEvent.FD_WRITE);
    r.clock.advance(1);
    r.log.length = 0;
    assert.equal(ws.send(c, new Uint8Array(6).fill(1), undefined, undefined), 6, 'taken whole, handed over in pieces');
    assert.equal(ws.send(c, bytes(2), undefined, undefined), -1);
    assert.equal(ws.WSAGetLastError(), WSAError.WSAEWOULDBLOCK);
    const b = new Uint8Array(8);
    ws.ioctlsocket(s, IoctlCmd.FIONBIO, 1);
    for (let i = 0; i < 10 && ws.recv(s, b, undefined, undefined) < 0; i++) r.clock.advance(1);
    assert.deepEqual([...b.subarray(0, 6)], [1, 1, 1, 1, 1, 1]);
    r.clock.advance(5);
    assert.deepEqual(r.log, ['cli FD_WRITE 0']);
    assert.equal(ws.send(c, bytes(2), undefined, undefined), 1);
  });
});

describe('socket layer: SOCK_DGRAM', () => {
  afterEach(checkRigs);
  it('sendto / recvfrom with the sender address; FD_READ per datagram; truncation → WSAEMSGSIZE', () => {
    const r = rig();
    const ws = r.api;
    const a = ws.socket(2, SockType.SOCK_DGRAM, 0);
    const b = ws.socket(2, SockType.SOCK_DGRAM, 17);
    assert.equal(ws.bind(a, LOCAL, 6000), 0);
    assert.equal(ws.bind(b, '0.0.0.0', 6001), 0);
    ws.WSAAsyncSelect(a, logger(r, 'a'), FdEvent.FD_READ);
    assert.equal(ws.sendto(b, bytes(1, 2, 3), undefined, undefined, LOCAL, 6000), 3);
    assert.equal(ws.sendto(b, bytes(4, 5, 6, 7), undefined, undefined, LOCAL, 6000), 4);
    r.clock.advance(5);
    assert.deepEqual(r.log, ['a FD_READ 0']);
    const from: SockAddr = { addr: '', port: 0 };
    const buf = new Uint8Array(8);
    assert.equal(ws.recvfrom(a, buf, undefined, undefined, from), 3);
    assert.deepEqual(from, { addr: LOCAL, port: 6001 });
    r.clock.advance(5);
    assert.deepEqual(r.log, ['a FD_READ 0', 'a FD_READ 0']);
    assert.equal(ws.recvfrom(a, buf, 2, undefined, from), -1);
    assert.equal(ws.WSAGetLastError(), WSAError.WSAEMSGSIZE);
    assert.deepEqual([...buf.subarray(0, 2)], [4, 5]);
    assert.equal(ws.recvfrom(a, buf, undefined, undefined, undefined), -1);
    assert.equal(ws.WSAGetLastError(), WSAError.WSAEWOULDBLOCK, 'the truncated datagram is gone');
  });

  it('errors: recvfrom unbound WSAEINVAL; too large WSAEMSGSIZE; send without connect WSAENOTCONN; connect sets the default peer', () => {
    const r = rig();
    const ws = r.api;
    const u = ws.socket(2, SockType.SOCK_DGRAM, 0);
    assert.equal(ws.recvfrom(u, new Uint8Array(4), undefined, undefined, undefined), -1);
    assert.equal(ws.WSAGetLastError(), WSAError.WSAEINVAL);
    assert.equal(ws.sendto(u, new Uint8Array(1473), undefined, undefined, LOCAL, 9), -1);
    assert.equal(ws.WSAGetLastError(), WSAError.WSAEMSGSIZE);
    assert.equal(ws.send(u, bytes(1), undefined, undefined), -1);
    assert.equal(ws.WSAGetLastError(), WSAError.WSAENOTCONN);
    const v = ws.socket(2, SockType.SOCK_DGRAM, 0);
    ws.bind(v, LOCAL, 6100);
    assert.equal(ws.connect(u, LOCAL, 6100), 0);
    assert.equal(ws.send(u, bytes(8), undefined, undefined), 1);
    const peer: SockAddr = { addr: '', port: 0 };
    assert.equal(ws.getpeername(u, peer), 0);
    assert.deepEqual(peer, { addr: LOCAL, port: 6100 });
    const buf = new Uint8Array(2);
    assert.equal(ws.recv(v, buf, undefined, undefined), 1);
    assert.equal(buf[0], 8);
    assert.equal(ws.listen(u, 1), -1);
    assert.equal(ws.WSAGetLastError(), WSAError.WSAEOPNOTSUPP);
    assert.equal(ws.shutdown(u, ShutdownHow.SD_SEND), 0);
    assert.equal(ws.send(u, bytes(1), undefined, undefined), -1);
    assert.equal(ws.WSAGetLastError(), WSAError.WSAESHUTDOWN);
  });
});
