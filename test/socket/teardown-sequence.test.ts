/**
 * Teardown behaviour of the socket layer over the loopback test double: the seed's sequence
 * (docs/socket-semantics.md §7), FD_CLOSE rules (§5), shutdown (§3).
 */
import assert from 'node:assert/strict';
import { FdEvent, ShutdownHow, SockOpt, OptLevel } from '../../firmware/socket/constants';
import { WSAError } from '../../firmware/socket/errors';
import { bytes, logger, pair, rig, checkRigs } from './harness';

const RWC = FdEvent.FD_READ | FdEvent.FD_WRITE | FdEvent.FD_CLOSE;

describe('socket layer: the seed sequence (§7)', () => {
  afterEach(checkRigs);
  it('client SD_SEND → server FD_CLOSE 0 → response → server SD_SEND → client FD_READ, FD_CLOSE 0 → both close; nothing lost, endpoints free', () => {
    const r = rig();
    const ws = r.api;
    const [l, s, c] = pair(r);
    const request = bytes(1, 2, 3, 4, 5);
    const response = new Uint8Array(300).map((_, i) => (i * 7) & 255); // larger than one receive window (256)
    const got: number[] = [];
    const buf = new Uint8Array(64);
    let serverDone: unknown = null;
    let rest: Uint8Array | null = null;
    // a well-behaved Winsock sender: send until done or WSAEWOULDBLOCK, go on at FD_WRITE
    const pushResponse = (h: number) => {
      while (rest && rest.length > 0) {
        const n = ws.send(h, rest, undefined, undefined);
        if (n < 0) {
          assert.equal(ws.WSAGetLastError(), WSAError.WSAEWOULDBLOCK);
          return;
        }
        rest = rest.subarray(n);
      }
      rest = null;
      r.log.push('srv shutdown ' + ws.shutdown(h, ShutdownHow.SD_SEND)); // step 4
      r.log.push('srv closesocket ' + ws.closesocket(h, (res) => { serverDone = res; })); // step 4'
    };
    const srv = logger(r, 'srv', (h, ev) => {
      if (ev === FdEvent.FD_READ) {
        const n = ws.recv(h, buf, undefined, undefined);
        if (n > 0) got.push(...buf.subarray(0, n));
      }
      if (ev === FdEvent.FD_CLOSE) {
        assert.deepEqual(got, [1, 2, 3, 4, 5], 'all client data was received before FD_CLOSE');
        rest = response; // step 3
        pushResponse(h);
      }
      if (ev === FdEvent.FD_WRITE && rest) pushResponse(h);
    });
    const reply: number[] = [];
    const cli = logger(r, 'cli', (h, ev) => {
      if (ev === FdEvent.FD_READ) {
        for (;;) {
          const n = ws.recv(h, buf, undefined, undefined);
          if (n <= 0) break;
          reply.push(...buf.subarray(0, n));
        }
      }
      if (ev === FdEvent.FD_CLOSE) {
        assert.equal(reply.length, 300, 'FD_CLOSE only after the last byte was read');
        assert.equal(ws.recv(h, buf, undefined, undefined), 0, 'recv 0 = graceful end');
        r.log.push('cli closesocket ' + ws.closesocket(h, undefined)); // step 6
      }
    });
    assert.equal(ws.WSAAsyncSelect(s, srv, RWC), 0);
    assert.equal(ws.WSAAsyncSelect(c, cli, RWC), 0);
    r.clock.advance(5);
    assert.deepEqual(r.log, ['srv FD_WRITE 0', 'cli FD_WRITE 0'], 'selecting FD_WRITE on a connected socket posts it');
    r.log.length = 0;

    assert.equal(ws.send(c, request, undefined, undefined), 5);
    assert.equal(ws.shutdown(c, ShutdownHow.SD_SEND), 0); // step 1
    assert.deepEqual(r.log, [], 'no handler runs inside an API call');
    r.clock.advance(50);

    assert.deepEqual(r.log, [
      'srv FD_READ 0',
      'srv FD_CLOSE 0', // step 2; the server sends (3): 256 bytes fit, then WSAEWOULDBLOCK
      'cli FD_READ 0', // step 5' begins
      'srv FD_WRITE 0', // room again: the last 44 bytes
      'srv shutdown 0', // step 4
      'srv closesocket 0', // step 4'
      'cli FD_READ 0',
      'cli FD_CLOSE 0', // step 5, after the last byte was read
      'cli closesocket 0', // step 6
    ]);
    assert.deepEqual(reply, [...response]);
    assert.deepEqual(serverDone, { graceful: true, error: 0, unsentBytes: 0 });
    assert.equal(r.inCall.violations, 0);
    assert.equal(ws.closesocket(l, undefined), 0);
    assert.equal(r.t.inUse(), 0, 'every endpoint is free again');
    assert.equal(ws.backgroundCloses(), 0);
  });
});

describe('socket layer: FD_CLOSE and recv after the end (§5)', () => {
  afterEach(checkRigs);
  it('FD_READ comes first when the FIN arrives with data unread; FD_CLOSE 0 once the last byte is read; recv 0 forever', () => {
    const r = rig();
    const ws = r.api;
    const [, s, c] = pair(r);
    ws.WSAAsyncSelect(c, logger(r, 'cli'), FdEvent.FD_READ | FdEvent.FD_CLOSE);
    ws.send(s, bytes(9, 8, 7), undefined, undefined);
    ws.shutdown(s, ShutdownHow.SD_SEND);
    r.clock.advance(10);
    assert.deepEqual(r.log, ['cli FD_READ 0']);
    const b = new Uint8Array(2);
    assert.equal(ws.recv(c, b, undefined, undefined), 2);
    r.clock.advance(10);
    assert.deepEqual(r.log, ['cli FD_READ 0', 'cli FD_READ 0'], 'data still unread after recv: FD_READ again, no FD_CLOSE yet');
    assert.equal(ws.recv(c, b, undefined, undefined), 1);
    assert.equal(b[0], 7);
    r.clock.advance(10);
    assert.deepEqual(r.log, ['cli FD_READ 0', 'cli FD_READ 0', 'cli FD_CLOSE 0']);
    for (let i = 0; i < 3; i++) assert.equal(ws.recv(c, b, undefined, undefined), 0);
    r.clock.advance(10);
    assert.equal(r.log.length, 3, 'FD_CLOSE is posted once');
    assert.equal(ws.WSAAsyncSelect(c, logger(r, 'again'), FdEvent.FD_CLOSE), 0);
    r.clock.advance(10);
    assert.equal(r.log.length, 3, 'a new selection does not repeat FD_CLOSE');
  });

  it('peer reset: FD_CLOSE WSAECONNRESET at once (unread data dropped); recv, send, shutdown fail WSAECONNRESET', () => {
    const r = rig();
    const ws = r.api;
    const [, s, c] = pair(r);
    ws.WSAAsyncSelect(c, logger(r, 'cli'), FdEvent.FD_CLOSE);
    ws.send(s, bytes(1, 2, 3), undefined, undefined);
    r.clock.advance(5);
    ws.setsockopt(s, OptLevel.SOL_SOCKET, SockOpt.SO_LINGER, { onoff: 1, linger: 0 });
    assert.equal(ws.closesocket(s, undefined), 0); // abortive: the peer sees a reset
    r.clock.advance(5);
    assert.deepEqual(r.log, ['cli FD_CLOSE 10054']);
    const b = new Uint8Array(8);
    assert.equal(ws.recv(c, b, undefined, undefined), -1);
    assert.equal(ws.WSAGetLastError(), WSAError.WSAECONNRESET);
    assert.equal(ws.send(c, b, undefined, undefined), -1);
    assert.equal(ws.WSAGetLastError(), WSAError.WSAECONNRESET);
    assert.equal(ws.shutdown(c, ShutdownHow.SD_SEND), -1);
    assert.equal(ws.WSAGetLastError(), WSAError.WSAECONNRESET);
    assert.equal(ws.getsockopt(c, OptLevel.SOL_SOCKET, SockOpt.SO_ERROR), WSAError.WSAECONNRESET);
    assert.equal(ws.getsockopt(c, OptLevel.SOL_SOCKET, SockOpt.SO_ERROR), 0, 'SO_ERROR clears when read');
  });

  it('timeout (Sn_IR.TIMEOUT): FD_CLOSE WSAECONNABORTED; recv WSAECONNABORTED', () => {
    const r = rig();
    const ws = r.api;
    const [, , c] = pair(r);
    ws.WSAAsyncSelect(c, logger(r, 'cli'), FdEvent.FD_CLOSE | FdEvent.FD_READ);
    r.t.injectTimeout(r.t.endpointTo(5000));
    r.clock.advance(5);
    assert.deepEqual(r.log, ['cli FD_CLOSE 10053']);
    assert.equal(ws.recv(c, new Uint8Array(4), undefined, undefined), -1);
    assert.equal(ws.WSAGetLastError(), WSAError.WSAECONNABORTED);
  });

  it('NIC down: FD_CLOSE WSAENETDOWN on every connection, accept and socket fail WSAENETDOWN', () => {
    const r = rig();
    const ws = r.api;
    const [l, s, c] = pair(r);
    ws.WSAAsyncSelect(c, logger(r, 'cli'), FdEvent.FD_CLOSE);
    ws.WSAAsyncSelect(s, logger(r, 'srv'), FdEvent.FD_CLOSE);
    r.t.failNic();
    r.clock.advance(5);
    assert.deepEqual(r.log.sort(), ['cli FD_CLOSE 10050', 'srv FD_CLOSE 10050']);
    assert.equal(ws.recv(c, new Uint8Array(4), undefined, undefined), -1);
    assert.equal(ws.WSAGetLastError(), WSAError.WSAENETDOWN);
    assert.equal(ws.accept(l, undefined), -1);
    assert.equal(ws.WSAGetLastError(), WSAError.WSAENETDOWN);
    assert.equal(ws.socket(2, 1, 0), -1);
    assert.equal(ws.WSAGetLastError(), WSAError.WSAENETDOWN);
  });

  it('FD_CLOSE is never posted after closesocket', () => {
    const r = rig();
    const ws = r.api;
    const [, s, c] = pair(r);
    ws.WSAAsyncSelect(c, logger(r, 'cli'), FdEvent.FD_CLOSE | FdEvent.FD_READ);
    ws.shutdown(s, ShutdownHow.SD_SEND);
    assert.equal(ws.closesocket(c, undefined), 0); // the FIN is on its way; the notification must not come
    r.clock.advance(20);
    assert.deepEqual(r.log, []);
  });
});

describe('socket layer: shutdown (§3)', () => {
  afterEach(checkRigs);
  it('SD_SEND: send → WSAESHUTDOWN, receiving goes on, the peer reads the end; a shut direction never reopens', () => {
    const r = rig();
    const ws = r.api;
    const [, s, c] = pair(r);
    assert.equal(ws.send(c, bytes(1), undefined, undefined), 1);
    assert.equal(ws.shutdown(c, ShutdownHow.SD_SEND), 0);
    assert.equal(ws.send(c, bytes(2), undefined, undefined), -1);
    assert.equal(ws.WSAGetLastError(), WSAError.WSAESHUTDOWN);
    assert.equal(ws.shutdown(c, ShutdownHow.SD_SEND), 0, 'again: no error');
    assert.equal(ws.send(c, bytes(2), undefined, undefined), -1);
    assert.equal(ws.WSAGetLastError(), WSAError.WSAESHUTDOWN);
    ws.send(s, bytes(5, 6), undefined, undefined);
    r.clock.advance(5);
    const b = new Uint8Array(4);
    assert.equal(ws.recv(c, b, undefined, undefined), 2, 'still receiving');
    assert.equal(ws.recv(s, b, undefined, undefined), 1);
    assert.equal(ws.recv(s, b, undefined, undefined), 0, 'server sees the end of stream');
    assert.deepEqual(r.t.wireLog.filter((x) => x.startsWith('fin')).length, 1, 'one FIN');
  });

  it('SD_RECEIVE with nothing unread: recv → WSAESHUTDOWN; data arriving later resets the connection (CLOSE on an offload NIC)', () => {
    const r = rig();
    const ws = r.api;
    const [, s, c] = pair(r);
    ws.WSAAsyncSelect(s, logger(r, 'srv'), FdEvent.FD_CLOSE);
    const ep = r.t.endpointTo(5000);
    assert.equal(ws.shutdown(c, ShutdownHow.SD_RECEIVE), 0);
    assert.equal(ws.recv(c, new Uint8Array(4), undefined, undefined), -1);
    assert.equal(ws.WSAGetLastError(), WSAError.WSAESHUTDOWN);
    assert.equal(ws.send(c, bytes(1), undefined, undefined), 1, 'sending still works');
    assert.deepEqual(r.t.wireLog, []);
    ws.send(s, bytes(9), undefined, undefined);
    r.clock.advance(10);
    assert.deepEqual(r.t.wireLog, ['abort ' + ep]);
    assert.deepEqual(r.log, ['srv FD_CLOSE 10054'], 'the peer learns of the reset');
    assert.equal(ws.recv(c, new Uint8Array(4), undefined, undefined), -1);
    assert.equal(ws.WSAGetLastError(), WSAError.WSAESHUTDOWN, 'the shut direction still answers first');
    assert.equal(ws.send(c, bytes(1), undefined, undefined), -1);
    assert.equal(ws.WSAGetLastError(), WSAError.WSAECONNABORTED);
  });

  it('SD_RECEIVE with unread data resets at once; SD_BOTH is both', () => {
    const r = rig();
    const ws = r.api;
    const [, s, c] = pair(r);
    ws.send(s, bytes(1, 2), undefined, undefined);
    r.clock.advance(5);
    const ep = r.t.endpointTo(5000);
    ws.WSAAsyncSelect(c, logger(r, 'cli'), FdEvent.FD_CLOSE);
    ws.WSAAsyncSelect(s, logger(r, 'srv'), FdEvent.FD_CLOSE);
    assert.equal(ws.shutdown(c, ShutdownHow.SD_BOTH), 0);
    assert.deepEqual(r.t.wireLog, ['abort ' + ep]);
    r.clock.advance(5);
    assert.deepEqual(r.log, ['cli FD_CLOSE 10053', 'srv FD_CLOSE 10054'], 'our own reset ends the connection: FD_CLOSE WSAECONNABORTED here, WSAECONNRESET there');
    assert.equal(ws.send(c, bytes(1), undefined, undefined), -1);
    assert.equal(ws.WSAGetLastError(), WSAError.WSAESHUTDOWN);
    assert.equal(ws.recv(c, new Uint8Array(2), undefined, undefined), -1);
    assert.equal(ws.WSAGetLastError(), WSAError.WSAESHUTDOWN);
    assert.equal(ws.shutdown(c, ShutdownHow.SD_SEND), -1);
    assert.equal(ws.WSAGetLastError(), WSAError.WSAECONNABORTED);
  });

  it('errors: bad how WSAEINVAL, not connected WSAENOTCONN; shutdown never frees the handle', () => {
    const r = rig();
    const ws = r.api;
    const [l, , c] = pair(r);
    assert.equal(ws.shutdown(c, 3), -1);
    assert.equal(ws.WSAGetLastError(), WSAError.WSAEINVAL);
    assert.equal(ws.shutdown(c, -1), -1);
    assert.equal(ws.WSAGetLastError(), WSAError.WSAEINVAL);
    assert.equal(ws.shutdown(l, ShutdownHow.SD_SEND), -1);
    assert.equal(ws.WSAGetLastError(), WSAError.WSAENOTCONN);
    const fresh = ws.socket(2, 1, 0);
    assert.equal(ws.shutdown(fresh, ShutdownHow.SD_BOTH), -1);
    assert.equal(ws.WSAGetLastError(), WSAError.WSAENOTCONN);
    assert.equal(ws.shutdown(c, ShutdownHow.SD_BOTH), 0);
    assert.equal(ws.getsockopt(c, OptLevel.SOL_SOCKET, SockOpt.SO_TYPE), 1, 'handle still valid');
  });

  it('WSASendDisconnect is shutdown(SD_SEND); disconnect data → WSAENOPROTOOPT', () => {
    const r = rig();
    const ws = r.api;
    const [, s, c] = pair(r);
    assert.equal(ws.WSASendDisconnect(c, bytes(1)), -1);
    assert.equal(ws.WSAGetLastError(), WSAError.WSAENOPROTOOPT);
    assert.equal(ws.send(c, bytes(1), undefined, undefined), 1, 'nothing changed');
    assert.equal(ws.WSASendDisconnect(c, undefined), 0);
    assert.equal(ws.send(c, bytes(1), undefined, undefined), -1);
    assert.equal(ws.WSAGetLastError(), WSAError.WSAESHUTDOWN);
    r.clock.advance(5);
    const b = new Uint8Array(4);
    assert.equal(ws.recv(s, b, undefined, undefined), 1);
    assert.equal(ws.recv(s, b, undefined, undefined), 0);
  });
});
