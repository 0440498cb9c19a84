/** closesocket and linger over the loopback test double (docs/socket-semantics.md §4). */
import assert from 'node:assert/strict';
import { FdEvent, IoctlCmd, OptLevel, ShutdownHow, SockOpt } from '../../firmware/socket/constants';
import { WSAError } from '../../firmware/socket/errors';
import type { CloseResult } from '../../firmware/socket/types';
import { bytes, logger, pair, rig, checkRigs } from './harness';

function results(): { list: CloseResult[]; done: (r: CloseResult) => void } {
  const list: CloseResult[] = [];
  return { list, done: (r: CloseResult) => { list.push(r); } };
}

describe('socket layer: closesocket and linger (§4)', () => {
  afterEach(checkRigs);
  it('SO_DONTLINGER: returns 0 at once, the handle is invalid at once, the close finishes in the background and done() reports it', () => {
    const r = rig();
    const ws = r.api;
    const [, s, c] = pair(r);
    const d = results();
    assert.equal(ws.getsockopt(c, OptLevel.SOL_SOCKET, SockOpt.SO_DONTLINGER), 1, 'the default');
    assert.equal(ws.send(c, new Uint8Array(100).fill(3), undefined, undefined), 100);
    const t0 = r.clock.now();
    assert.equal(ws.closesocket(c, d.done), 0);
    assert.equal(r.clock.now(), t0, 'no waiting');
    assert.equal(ws.send(c, bytes(1), undefined, undefined), -1);
    assert.equal(ws.WSAGetLastError(), WSAError.WSAENOTSOCK);
    assert.equal(ws.closesocket(c, undefined), -1, 'a second close is WSAENOTSOCK');
    assert.equal(ws.WSAGetLastError(), WSAError.WSAENOTSOCK);
    assert.deepEqual(d.list, [], 'done() never runs inside the call');
    r.clock.advance(5);
    assert.equal(ws.backgroundCloses(), 1, 'the endpoint is held until the peer closes');
    const b = new Uint8Array(200);
    assert.equal(ws.recv(s, b, undefined, undefined), 100);
    assert.equal(ws.recv(s, b, undefined, undefined), 0);
    ws.closesocket(s, undefined);
    r.clock.advance(5);
    assert.deepEqual(d.list, [{ graceful: true, error: 0, unsentBytes: 0 }]);
    assert.equal(ws.backgroundCloses(), 0);
  });

  it('SO_DONTLINGER on a non-blocking socket never returns WSAEWOULDBLOCK', () => {
    const r = rig();
    const ws = r.api;
    const [, , c] = pair(r);
    ws.ioctlsocket(c, IoctlCmd.FIONBIO, 1);
    assert.equal(ws.closesocket(c, undefined), 0);
  });

  it('a background close that does not finish is forced abortive after closeTimeout; done() says so', () => {
    const r = rig({}, { closeTimeout: 3000 });
    const ws = r.api;
    const [, s, c] = pair(r);
    const d = results();
    ws.send(c, bytes(1, 2, 3), undefined, undefined);
    const t0 = r.clock.now();
    ws.closesocket(c, d.done); // the server never closes its side
    r.clock.advance(10);
    // the bound is a deadline of the event loop: its one timer waits for it, nothing else is set
    assert.equal(ws.eventLoop().due, t0 + 3000);
    assert.equal(r.clock.pending(), 1);
    r.clock.advance(2989);
    assert.deepEqual(d.list, []);
    assert.equal(r.t.inUse(), 3);
    assert.equal(ws.recv(s, new Uint8Array(8), undefined, undefined), 3);
    assert.equal(ws.recv(s, new Uint8Array(8), undefined, undefined), 0);
    r.clock.advance(1);
    assert.deepEqual(d.list, [{ graceful: false, error: WSAError.WSAETIMEDOUT, unsentBytes: 0 }], 'every byte arrived, only the FIN exchange did not finish');
    assert.equal(r.t.inUse(), 2, 'endpoint given back');
    assert.equal(ws.recv(s, new Uint8Array(8), undefined, undefined), -1, 'the forced close reached the peer as a reset');
    assert.equal(ws.WSAGetLastError(), WSAError.WSAECONNRESET);
  });

  it('SO_LINGER {1, 0}: abortive at once, queued data dropped, the peer sees WSAECONNRESET', () => {
    const r = rig({ rxCap: 16 });
    const ws = r.api;
    const [, s, c] = pair(r);
    const d = results();
    ws.WSAAsyncSelect(s, logger(r, 'srv'), FdEvent.FD_CLOSE);
    assert.equal(ws.setsockopt(c, OptLevel.SOL_SOCKET, SockOpt.SO_LINGER, { onoff: 1, linger: 0 }), 0);
    assert.deepEqual(ws.getsockopt(c, OptLevel.SOL_SOCKET, SockOpt.SO_LINGER), { onoff: 1, linger: 0 });
    assert.equal(ws.send(c, new Uint8Array(100), undefined, undefined), 100);
    r.clock.advance(5); // 16 bytes fit the peer's window, 84 stay queued
    assert.equal(ws.closesocket(c, d.done), 0);
    r.clock.advance(5);
    assert.deepEqual(d.list, [{ graceful: false, error: WSAError.WSAECONNABORTED, unsentBytes: 84 }]);
    assert.deepEqual(r.log, ['srv FD_CLOSE 10054']);
    assert.equal(ws.backgroundCloses(), 0);
  });

  it('SO_LINGER {1, n} on a blocking socket: returns when the close completes', () => {
    const r = rig();
    const ws = r.api;
    const [, s, c] = pair(r);
    const d = results();
    ws.setsockopt(c, OptLevel.SOL_SOCKET, SockOpt.SO_LINGER, { onoff: 1, linger: 5 });
    ws.shutdown(s, ShutdownHow.SD_SEND); // the peer has already closed its side
    const t0 = r.clock.now();
    assert.equal(ws.closesocket(c, d.done), 0);
    assert.ok(r.clock.now() - t0 < 100, 'returned as soon as the FIN exchange was done');
    assert.equal(ws.backgroundCloses(), 0);
    r.clock.advance(1);
    assert.deepEqual(d.list, [{ graceful: true, error: 0, unsentBytes: 0 }]);
  });

  it('SO_LINGER {1, n} on a blocking socket: after n s without completion it is abortive, and closesocket returns then', () => {
    const r = rig({ rxCap: 8 });
    const ws = r.api;
    const [, s, c] = pair(r);
    const d = results();
    ws.setsockopt(c, OptLevel.SOL_SOCKET, SockOpt.SO_LINGER, { onoff: 1, linger: 2 });
    ws.send(c, new Uint8Array(20), undefined, undefined);
    const t0 = r.clock.now();
    assert.equal(ws.closesocket(c, d.done), 0);
    assert.equal(r.clock.now() - t0, 2000);
    r.clock.advance(1);
    assert.deepEqual(d.list, [{ graceful: false, error: WSAError.WSAETIMEDOUT, unsentBytes: 12 }]);
    assert.equal(ws.recv(s, new Uint8Array(8), undefined, undefined), -1);
    assert.equal(ws.WSAGetLastError(), WSAError.WSAECONNRESET);
  });

  it('SO_LINGER {1, n} on a non-blocking socket: WSAEWOULDBLOCK, nothing started, the handle stays; shutdown then retry works', () => {
    const r = rig();
    const ws = r.api;
    const [, s, c] = pair(r);
    const d = results();
    ws.setsockopt(c, OptLevel.SOL_SOCKET, SockOpt.SO_LINGER, { onoff: 1, linger: 5 });
    ws.ioctlsocket(c, IoctlCmd.FIONBIO, 1);
    assert.equal(ws.closesocket(c, d.done), -1);
    assert.equal(ws.WSAGetLastError(), WSAError.WSAEWOULDBLOCK);
    r.clock.advance(10);
    assert.deepEqual(r.t.wireLog, [], 'no FIN, no CLOSE');
    assert.equal(ws.send(c, bytes(1), undefined, undefined), 1, 'the handle is still valid');
    assert.equal(ws.shutdown(c, ShutdownHow.SD_SEND), 0);
    ws.recv(s, new Uint8Array(4), undefined, undefined);
    ws.shutdown(s, ShutdownHow.SD_SEND);
    r.clock.advance(10);
    assert.equal(ws.closesocket(c, d.done), 0, 'the connection has ended: nothing left to wait for');
    r.clock.advance(1);
    assert.deepEqual(d.list, [{ graceful: true, error: 0, unsentBytes: 0 }]);
  });

  it('SO_DONTLINGER true/false toggles l_onoff and keeps l_linger', () => {
    const r = rig();
    const ws = r.api;
    const [, , c] = pair(r);
    ws.setsockopt(c, OptLevel.SOL_SOCKET, SockOpt.SO_LINGER, { onoff: 1, linger: 7 });
    assert.equal(ws.setsockopt(c, OptLevel.SOL_SOCKET, SockOpt.SO_DONTLINGER, true), 0);
    assert.deepEqual(ws.getsockopt(c, OptLevel.SOL_SOCKET, SockOpt.SO_LINGER), { onoff: 0, linger: 7 });
    assert.equal(ws.setsockopt(c, OptLevel.SOL_SOCKET, SockOpt.SO_DONTLINGER, 0), 0);
    assert.deepEqual(ws.getsockopt(c, OptLevel.SOL_SOCKET, SockOpt.SO_LINGER), { onoff: 1, linger: 7 });
    assert.equal(ws.getsockopt(c, OptLevel.SOL_SOCKET, SockOpt.SO_DONTLINGER), 0);
  });

  it('closing a socket without a connection (fresh, listening, after a reset) frees it at once; done() reports why', () => {
    const r = rig();
    const ws = r.api;
    const [l, s, c] = pair(r);
    const d = results();
    const fresh = ws.socket(2, 1, 0);
    assert.equal(ws.closesocket(fresh, d.done), 0);
    ws.setsockopt(s, OptLevel.SOL_SOCKET, SockOpt.SO_LINGER, { onoff: 1, linger: 0 });
    ws.send(s, bytes(1, 2), undefined, undefined);
    ws.closesocket(s, d.done);
    r.clock.advance(5);
    ws.closesocket(c, d.done); // reset by the peer
    ws.closesocket(l, d.done);
    r.clock.advance(1);
    assert.deepEqual(d.list, [
      { graceful: true, error: 0, unsentBytes: 0 },
      { graceful: false, error: WSAError.WSAECONNABORTED, unsentBytes: 2 },
      { graceful: false, error: WSAError.WSAECONNRESET, unsentBytes: 0 },
      { graceful: true, error: 0, unsentBytes: 0 },
    ]);
    assert.equal(r.t.inUse(), 0);
  });

  it('when every endpoint is held, socket() reclaims the oldest background close before failing WSAENOBUFS', () => {
    const r = rig({ endpoints: 3 }, { closeTimeout: 60000 });
    const ws = r.api;
    const remote = r.t.rawListen(6000); // a remote host that never answers our FIN
    const h = [ws.socket(2, 1, 0), ws.socket(2, 1, 0), ws.socket(2, 1, 0)];
    for (const x of h) assert.equal(ws.connect(x, '10.0.0.1', 6000), 0);
    assert.equal(remote.length, 3);
    const dOld = results();
    const dNew = results();
    ws.send(h[0], bytes(1, 2, 3), undefined, undefined);
    assert.equal(ws.closesocket(h[0], dOld.done), 0);
    assert.equal(ws.closesocket(h[1], dNew.done), 0);
    r.clock.advance(5);
    assert.equal(ws.backgroundCloses(), 2);
    assert.equal(r.t.available(), 0);
    assert.equal(remote[0].gotFin, true, 'the oldest close had sent its data and FIN');
    assert.deepEqual([...remote[0].read()], [1, 2, 3]);
    const a = ws.socket(2, 2, 0);
    assert.equal(a, 4, 'the oldest close gave its endpoint up (handles 1 and 2 are not handed out again at once)');
    r.clock.advance(1);
    assert.deepEqual(dOld.list, [{ graceful: false, error: WSAError.WSAENOBUFS, unsentBytes: 0 }]);
    assert.deepEqual(dNew.list, []);
    assert.equal(remote[0].wasReset, true, 'reclaiming is abortive');
    assert.equal(ws.socket(2, 1, 0), 5, 'the next one is reclaimed next');
    r.clock.advance(1);
    assert.deepEqual(dNew.list, [{ graceful: false, error: WSAError.WSAENOBUFS, unsentBytes: 0 }]);
    assert.equal(ws.socket(2, 1, 0), -1, 'an open socket is never reclaimed');
    assert.equal(ws.WSAGetLastError(), WSAError.WSAENOBUFS);
    assert.equal(ws.send(h[2], bytes(9), undefined, undefined), 1, 'and keeps working');
  });
});
