/**
 * The conformance suite of the socket layer (docs/socket-semantics.md): one set of tests, written
 * against the Winsock-style API, run on every transport through a rig. Tests whose expectation rests
 * on a documented difference of a NIC (the W5500's silent CLOSE) read it from the rig and say so in
 * their title ("[W5500 difference]").
 */
import assert from 'node:assert/strict';
import { AddressFamily, FdEvent, IoctlCmd, OptLevel, ShutdownHow, SockOpt, SockType, TcpOpt, MsgFlag } from '../../firmware/socket/constants';
import { WSAError } from '../../firmware/socket/errors';
import type { IoctlArg, SockAddr, WSANETWORKEVENTS } from '../../firmware/socket/types';
import { MessageReader, frameMessage } from '../../firmware/socket/seqpacket-framing';
import { fdEventName } from '../../firmware/socket/events';
import type { ConformanceRig, PeerConn, RigFactory } from '../../sim/conformance/rig';
import { RigUnavailable } from '../../sim/conformance/rig';
import {
  STEP_MS, assertBytes, freshPort, closeWatch, collapse, concat, deviceAccepts, deviceConnects, expectAllFree, expectError,
  pattern, recvExactly, recvToEnd, sendAll, setLinger, setNonBlocking, tcpSocket, waitFor,
} from './helpers';

const RWC = FdEvent.FD_READ | FdEvent.FD_WRITE | FdEvent.FD_CLOSE;

export interface SuiteOptions {
  /** mocha timeout per test, ms */
  timeout?: number;
}

/**
 * Registers the suite under `title`. Each test gets a fresh rig from `factory`; when it cannot be
 * built (no kernel peer, no loopback), the test fails in CI and is skipped loudly elsewhere.
 */
export function conformanceSuite(title: string, factory: RigFactory, opts: SuiteOptions = {}): void {
  describe(title, function () {
    this.timeout(opts.timeout ?? 20000);
    let rig: ConformanceRig | undefined;

    async function withRig(ctx: Mocha.Context, body: (r: ConformanceRig) => Promise<void>): Promise<void> {
      try {
        if (!rig) rig = await factory();
      } catch (e) {
        if (e instanceof RigUnavailable && process.env.CI !== 'true') {
          console.warn(`\n  !!! SKIPPED "${ctx.test?.title}" on ${title}: ${e.message}\n`);
          ctx.skip();
        }
        throw e;
      }
      await body(rig);
    }
    function t(name: string, body: (r: ConformanceRig) => Promise<void>): void {
      it(name, async function () { await withRig(this, body); });
    }
    // One rig serves test after test while it is clean: no fault applied, no handle open, every
    // hardware socket free. Anything else gets a fresh one, so no test inherits another's state.
    afterEach(async () => {
      const r = rig;
      if (!r) return;
      r.peers.closeAll();
      if (!r.tainted && r.api.openSockets() === 0 && r.api.backgroundCloses() === 0 && r.freeEndpoints() === r.totalEndpoints) return;
      rig = undefined;
      await r.close();
    });
    after(async () => {
      const r = rig;
      rig = undefined;
      if (r) await r.close();
    });

    describe("the seed's six-step sequence (§7)", () => {
      t('device as client: exact event order on both ends, every byte delivered, every hardware socket free', sixStepDeviceClient);
      t('device as server: exact event order on both ends, every byte delivered, every hardware socket free', sixStepDeviceServer);
    });

    describe('closesocket and linger (§4)', () => {
      t('SO_DONTLINGER (default), blocking: returns at once, graceful in the background: all queued bytes then FIN; done reports graceful', (r) => dontLinger(r, false));
      t('SO_DONTLINGER (default), non-blocking: returns at once, never WSAEWOULDBLOCK; all queued bytes then FIN', (r) => dontLinger(r, true));
      t('SO_DONTLINGER, the peer never answers our FIN: the close bound (closeTimeout) forces CLOSE; done reports WSAETIMEDOUT', dontLingerBound);
      t('SO_LINGER 0, blocking: abortive at once, no FIN; [W5500 difference] the peer learns by RST on its next segment', (r) => lingerZero(r, false));
      t('SO_LINGER 0, non-blocking: abortive at once, no FIN; [W5500 difference] the peer learns by RST on its next segment', (r) => lingerZero(r, true));
      t('SO_LINGER n, blocking: returns when the graceful close completes (before n s); done reports graceful', lingerBlockingCompletes);
      t('SO_LINGER n, blocking: the n s run out → abortive; returns after n s; every byte and the FIN went out first', lingerBlockingExpires);
      t('SO_LINGER n, non-blocking: WSAEWOULDBLOCK, handle valid, nothing started; way out 1: retry until the connection has ended', (r) => lingerNonBlocking(r, 'retry'));
      t('SO_LINGER n, non-blocking: WSAEWOULDBLOCK; way out 2: switch to SO_DONTLINGER', (r) => lingerNonBlocking(r, 'dontlinger'));
      t('SO_LINGER n, non-blocking: WSAEWOULDBLOCK; way out 3: switch to linger 0', (r) => lingerNonBlocking(r, 'linger0'));
      t('SO_LINGER n, non-blocking: WSAEWOULDBLOCK; way out 4: shutdown(SD_SEND), then closesocket completes', (r) => lingerNonBlocking(r, 'shutdown'));
    });

    describe('FD_CLOSE and recv after the end (§5)', () => {
      t('FD_CLOSE only after the last byte was read (FD_READ until then), posted once', fdCloseAfterLastByte);
      t('FD_CLOSE error by cause: peer FIN → 0', fdCloseFin);
      t('FD_CLOSE error by cause: peer RST → WSAECONNRESET; recv and send fail WSAECONNRESET', fdCloseReset);
      t('FD_CLOSE error by cause: retransmission timeout → WSAECONNABORTED; recv fails WSAECONNABORTED', fdCloseTimeout);
      t('FD_CLOSE error by cause: the NIC fails → WSAENETDOWN', fdCloseNetDown);
      t('the NIC fails with data unread: recv fails WSAENETDOWN at once, every time, never 0', recvAfterNicFailure);
      t('no FD_CLOSE after closesocket', noFdCloseAfterClose);
      t('recv returns 0 again and again after the end; sending still works (half-close)', recvZeroForever);
    });

    describe('shutdown (§3)', () => {
      t('SD_SEND: send fails WSAESHUTDOWN every time; receiving goes on; the peer sees FIN after every byte', shutdownSend);
      t('SD_RECEIVE: recv fails WSAESHUTDOWN every time; sending goes on', shutdownReceive);
      t('SD_SEND, then the peer sends more than the receive buffer holds, then FIN: every byte arrives before recv returns 0', shutdownSendThenBulkIn);
      t('SD_BOTH: both directions fail WSAESHUTDOWN; shutdown never frees the handle', shutdownBoth);
      t('SD_RECEIVE with unread data resets the connection; [W5500 difference] the peer sees the reset when it next sends', sdReceiveUnread);
      t('SD_RECEIVE, then data arrives: the connection is reset; [W5500 difference] the peer sees the reset when it next sends', sdReceiveLateData);
    });

    describe('bad handles and bad arguments (§8)', () => {
      t('WSAENOTSOCK after closesocket and for junk handles, on every call', notSock);
      t('junk arguments: exact error codes, and the connection is unchanged', junkArguments);
    });

    describe('message sockets, SOCK_SEQPACKET (§6)', () => {
      t('whole messages both ways (a zero-length one too); the peer FIN ends with WSAEDISCON, again and again, and FD_CLOSE 0', seqpacketDiscon);
      t('a message larger than the buffer: WSAEMSGSIZE, truncated; the next message is whole', seqpacketMsgSize);
    });

    describe('teardown matrix: who closes first × how × data in flight', () => {
      const hows: DeviceHow[] = ['shutdown', 'dontlinger', 'linger0', 'lingerN'];
      const flows: Flow[] = ['none', 'out', 'in', 'both'];
      for (const how of hows) {
        for (const flow of flows) {
          t(`device closes first by ${how}, data in flight: ${flow}`, (r) => deviceFirst(r, how, flow));
        }
      }
      for (const how of hows) {
        for (const flow of flows) {
          t(`peer closes first by FIN, device answers by ${how}, data in flight: ${flow}`, (r) => peerFinFirst(r, how, flow));
        }
      }
      for (const flow of flows) {
        t(`peer closes first by RST, data in flight: ${flow}`, (r) => peerRstFirst(r, flow));
      }
    });
  });
}

// ------------------------------------------------------------------ §7

const REQUEST = pattern(100, 7);
const RESPONSE = pattern(300, 8);

async function sixStepDeviceClient(rig: ConformanceRig): Promise<void> {
  const api = rig.api;
  const l = await rig.peers.listen();
  const timeline: string[] = [];
  const dev: string[] = [];
  let reply: Uint8Array = new Uint8Array(0);
  const buf = new Uint8Array(512);
  let peer: PeerConn | undefined;
  let served = false;
  const note = (who: string, what: string) => { timeline.push(who + ' ' + what); if (who === 'dev') dev.push(what); };

  l.onAccept = (c) => {
    peer = c;
    c.onEnd = () => {
      // step 2: the server's FD_CLOSE; step 3: the response; step 4: shutdown; 4': closesocket
      assertBytes(c.received(), REQUEST, 'the server has every request byte at its FD_CLOSE');
      note('peer', 'FIN seen');
      c.send(RESPONSE);
      note('peer', 'send');
      c.end();
      note('peer', 'shutdown');
      c.close();
      note('peer', 'closesocket');
      served = true;
    };
  };
  const s = tcpSocket(rig);
  let closed = false;
  assert.equal(api.WSAAsyncSelect(s, (h, ev, err) => {
    note('dev', fdEventName(ev) + ' ' + err);
    if (ev === FdEvent.FD_WRITE) {
      note('dev', 'send ' + api.send(h, REQUEST, undefined, undefined));
      note('dev', 'shutdown ' + api.shutdown(h, ShutdownHow.SD_SEND)); // step 1
    }
    if (ev === FdEvent.FD_READ) {
      for (;;) {
        const n = api.recv(h, buf, undefined, undefined);
        if (n <= 0) break;
        reply = concat(reply, buf.subarray(0, n));
      }
    }
    if (ev === FdEvent.FD_CLOSE) {
      note('dev', 'read ' + reply.length);
      note('dev', 'recv ' + api.recv(h, buf, undefined, undefined));
      note('dev', 'closesocket ' + api.closesocket(h, undefined)); // step 6
      closed = true;
    }
  }, FdEvent.FD_CONNECT | RWC), 0);
  expectError(rig, api.connect(s, rig.peers.ip, l.port), WSAError.WSAEWOULDBLOCK, 'connect');
  await waitFor(rig, () => closed && served, 'the six steps');
  assert.ok(peer);
  assert.deepEqual(collapse(dev), [
    'FD_CONNECT 0',
    'FD_WRITE 0',
    'send 100',
    'shutdown 0', // 1
    'FD_READ 0', // 5'
    'FD_CLOSE 0', // 5
    'read 300',
    'recv 0',
    'closesocket 0', // 6
  ]);
  assert.deepEqual(peer.log, ['data', 'end']);
  const at = (x: string) => timeline.indexOf(x);
  assert.ok(at('dev shutdown 0') < at('peer FIN seen'), 'step 1 before step 2');
  assert.ok(at('peer shutdown') < at('dev FD_READ 0'), 'step 4 before step 5\'');
  assertBytes(reply, RESPONSE, 'the client got every response byte');
  await waitFor(rig, () => peer!.ended, 'the FIN at the server'); // it was seen before: kept
  await expectAllFree(rig);
}

async function sixStepDeviceServer(rig: ConformanceRig): Promise<void> {
  const api = rig.api;
  const timeline: string[] = [];
  const dev: string[] = [];
  const buf = new Uint8Array(512);
  let request: Uint8Array = new Uint8Array(0);
  let closed = false;
  const note = (who: string, what: string) => { timeline.push(who + ' ' + what); if (who === 'dev') dev.push(what); };

  const l = tcpSocket(rig);
  const port = freshPort();
  assert.equal(api.bind(l, '0.0.0.0', port), 0);
  assert.equal(api.listen(l, 1), 0);
  let s = -1;
  const onConn = (h: number, ev: number, err: number) => {
    note('dev', fdEventName(ev) + ' ' + err);
    if (ev === FdEvent.FD_READ) {
      for (;;) {
        const n = api.recv(h, buf, undefined, undefined);
        if (n <= 0) break;
        request = concat(request, buf.subarray(0, n));
      }
    }
    if (ev === FdEvent.FD_CLOSE) {
      // step 2: all client data is here; 3: response; 4: shutdown; 4': closesocket
      note('dev', 'read ' + request.length);
      note('dev', 'send ' + api.send(h, RESPONSE, undefined, undefined));
      note('dev', 'shutdown ' + api.shutdown(h, ShutdownHow.SD_SEND));
      note('dev', 'closesocket ' + api.closesocket(h, undefined));
      closed = true;
    }
  };
  assert.equal(api.WSAAsyncSelect(l, (h, ev, err) => {
    if (h === l) {
      note('dev', fdEventName(ev) + ' ' + err);
      if (ev === FdEvent.FD_ACCEPT) {
        s = api.accept(l, undefined);
        note('dev', 'accept ' + (s > 0 ? 'ok' : api.WSAGetLastError()));
      }
      return;
    }
    onConn(h, ev, err);
  }, FdEvent.FD_ACCEPT | FdEvent.FD_READ | FdEvent.FD_CLOSE), 0);

  const peer = await rig.peers.connect(port);
  let peerDone = false;
  peer.send(REQUEST);
  peer.end(); // step 1
  timeline.push('peer shutdown');
  peer.onEnd = () => {
    timeline.push('peer FIN seen'); // 5
    peer.close(); // 6
    timeline.push('peer closesocket');
    peerDone = true;
  };
  await waitFor(rig, () => closed && peerDone, 'the six steps');
  assert.deepEqual(collapse(dev), [
    'FD_ACCEPT 0',
    'accept ok',
    'FD_READ 0',
    'FD_CLOSE 0', // 2
    'read 100',
    'send 300', // 3
    'shutdown 0', // 4
    'closesocket 0', // 4'
  ]);
  assert.deepEqual(peer.log, ['data', 'end']); // 5', 5
  assert.ok(timeline.indexOf('dev shutdown 0') < timeline.indexOf('peer FIN seen'));
  assertBytes(request, REQUEST, 'the server got every request byte');
  assertBytes(peer.received(), RESPONSE, 'the client got every response byte');
  assert.equal(api.closesocket(l, undefined), 0);
  await expectAllFree(rig);
}

// ------------------------------------------------------------------ §4

/** a connected device socket with `n` bytes delivered to the peer already */
async function connected(rig: ConformanceRig, nonBlocking: boolean): Promise<{ s: number; peer: PeerConn }> {
  const l = await rig.peers.listen();
  const c = await deviceConnects(rig, l);
  if (!nonBlocking) setNonBlocking(rig, c.s, false);
  return c;
}

async function dontLinger(rig: ConformanceRig, nonBlocking: boolean): Promise<void> {
  const api = rig.api;
  const { s, peer } = await connected(rig, nonBlocking);
  assert.equal(api.getsockopt(s, OptLevel.SOL_SOCKET, SockOpt.SO_DONTLINGER), 1, 'SO_DONTLINGER is the default');
  const data = pattern(3000, 11);
  if (nonBlocking) await sendAll(rig, s, data); else assert.equal(api.send(s, data, undefined, undefined), 3000);
  const w = closeWatch();
  const t0 = rig.now();
  assert.equal(api.closesocket(s, w.done), 0, 'closesocket returns at once, never WSAEWOULDBLOCK');
  assert.ok(rig.now() - t0 < 50, 'closesocket did not wait');
  expectError(rig, api.getsockopt(s, OptLevel.SOL_SOCKET, SockOpt.SO_TYPE), WSAError.WSAENOTSOCK, 'the handle is invalid at once');
  await waitFor(rig, () => peer.ended, "the device's FIN");
  assertBytes(peer.received(), data, 'every byte queued before the close, then FIN');
  peer.end();
  await waitFor(rig, () => w.calls > 0, 'the close to finish');
  assert.deepEqual(w.result, { graceful: true, error: 0, unsentBytes: 0 });
  await expectAllFree(rig);
  assert.equal(w.calls, 1);
}

async function dontLingerBound(rig: ConformanceRig): Promise<void> {
  const api = rig.api;
  const { s, peer } = await connected(rig, true);
  const data = pattern(500, 41);
  await sendAll(rig, s, data);
  const w = closeWatch();
  const t0 = rig.now();
  assert.equal(api.closesocket(s, w.done), 0);
  await waitFor(rig, () => peer.ended, 'FIN');
  assertBytes(peer.received(), data, 'every byte, then FIN');
  await waitFor(rig, () => w.calls > 0, 'the close bound', 8000);
  const took = rig.now() - t0;
  assert.ok(took >= 3900 && took < 5000, `forced at the default bound of 4 s (took ${took} ms)`);
  assert.deepEqual(w.result, { graceful: false, error: WSAError.WSAETIMEDOUT, unsentBytes: 0 }, 'a bound forced the close: WSAETIMEDOUT (types.ts CloseResult)');
  await expectAllFree(rig, 100);
}

async function lingerZero(rig: ConformanceRig, nonBlocking: boolean): Promise<void> {
  const api = rig.api;
  const { s, peer } = await connected(rig, nonBlocking);
  const first = pattern(200, 3);
  assert.equal(api.send(s, first, undefined, undefined), 200);
  await waitFor(rig, () => peer.received().length === 200, 'the first bytes');
  await rig.run(20); // and their acknowledgement back at the device
  setLinger(rig, s, 1, 0);
  const w = closeWatch();
  const t0 = rig.now();
  assert.equal(api.closesocket(s, w.done), 0);
  assert.ok(rig.now() - t0 < 50, 'closesocket did not wait');
  assert.equal(rig.freeEndpoints(), rig.totalEndpoints, 'the hardware socket is free at once');
  await rig.run(100);
  assert.equal(peer.ended, false, 'abortive: no FIN');
  assert.deepEqual(w.result, { graceful: false, error: WSAError.WSAECONNABORTED, unsentBytes: 0 });
  if (rig.canSendReset) {
    await waitFor(rig, () => peer.wasReset, 'the RST');
  } else {
    assert.equal(peer.wasReset, false, 'W5500: CLOSE sends nothing');
    peer.send(pattern(10, 4));
    await waitFor(rig, () => peer.wasReset, "the RST answering the peer's next segment");
  }
  assertBytes(peer.received(), first, 'what was sent before the close arrived, nothing after');
}

async function lingerBlockingCompletes(rig: ConformanceRig): Promise<void> {
  const api = rig.api;
  const { s, peer } = await connected(rig, true);
  peer.end(); // the peer is done first, so the close needs no answer from the peer's application
  const got = await recvToEnd(rig, s);
  assert.equal(got.end, 0);
  setNonBlocking(rig, s, false);
  const data = pattern(2500, 5);
  assert.equal(api.send(s, data, undefined, undefined), 2500);
  setLinger(rig, s, 1, 3);
  const w = closeWatch();
  const t0 = rig.now();
  assert.equal(api.closesocket(s, w.done), 0);
  assert.ok(rig.now() - t0 < 3000, 'returned before the linger interval ran out');
  expectError(rig, api.recv(s, new Uint8Array(4), undefined, undefined), WSAError.WSAENOTSOCK, 'the handle is gone');
  await waitFor(rig, () => w.calls > 0, 'done');
  assert.deepEqual(w.result, { graceful: true, error: 0, unsentBytes: 0 });
  await waitFor(rig, () => peer.ended, 'FIN');
  assertBytes(peer.received(), data, 'every byte, then FIN');
  await expectAllFree(rig);
}

async function lingerBlockingExpires(rig: ConformanceRig): Promise<void> {
  const api = rig.api;
  const { s, peer } = await connected(rig, false);
  const data = pattern(1500, 6);
  assert.equal(api.send(s, data, undefined, undefined), 1500);
  setLinger(rig, s, 1, 1);
  const w = closeWatch();
  const t0 = rig.now();
  assert.equal(api.closesocket(s, w.done), 0); // the peer's application never answers the FIN
  const took = rig.now() - t0;
  assert.ok(took >= 1000 && took < 1500, `closesocket returned after the 1 s linger interval (took ${took} ms)`);
  await waitFor(rig, () => w.calls > 0, 'done');
  assert.deepEqual(w.result, { graceful: false, error: WSAError.WSAETIMEDOUT, unsentBytes: 0 });
  await waitFor(rig, () => peer.ended, 'FIN');
  assertBytes(peer.received(), data, 'every byte and the FIN went out before the bound ran out');
  assert.equal(rig.freeEndpoints(), rig.totalEndpoints, 'the hardware socket is free when closesocket returns');
  await pokeUntilReset(rig, peer);
}

type WayOut = 'retry' | 'dontlinger' | 'linger0' | 'shutdown';

async function lingerNonBlocking(rig: ConformanceRig, way: WayOut): Promise<void> {
  const api = rig.api;
  const { s, peer } = await connected(rig, true);
  const data = pattern(800, 9);
  await sendAll(rig, s, data);
  await waitFor(rig, () => peer.received().length === 800, 'the data');
  setLinger(rig, s, 1, 5);
  const w = closeWatch();
  expectError(rig, api.closesocket(s, w.done), WSAError.WSAEWOULDBLOCK, 'non-blocking linger closesocket');
  assert.equal(api.getsockopt(s, OptLevel.SOL_SOCKET, SockOpt.SO_TYPE), SockType.SOCK_STREAM, 'the handle stays valid');
  await rig.run(150);
  assert.equal(peer.ended, false, 'nothing started: no FIN');
  assert.equal(peer.wasReset, false, 'nothing started: no reset');
  assert.equal(w.calls, 0);
  expectError(rig, api.closesocket(s, w.done), WSAError.WSAEWOULDBLOCK, 'a retry while the connection lives');
  const more = pattern(100, 10);
  assert.equal(api.send(s, more, undefined, undefined), 100, 'the socket still works');
  await waitFor(rig, () => peer.received().length === 900, 'the later data');
  await rig.run(20);
  const all = concat(data, more);
  switch (way) {
    case 'retry': {
      peer.reset();
      let r = -1;
      await waitFor(rig, () => (r = api.closesocket(s, w.done)) === 0 || api.WSAGetLastError() !== WSAError.WSAEWOULDBLOCK, 'a retry to complete');
      assert.equal(r, 0, 'closesocket completes once the connection has ended');
      await waitFor(rig, () => w.calls > 0, 'done');
      assert.deepEqual(w.result, { graceful: false, error: WSAError.WSAECONNRESET, unsentBytes: 0 });
      break;
    }
    case 'dontlinger':
      assert.equal(api.setsockopt(s, OptLevel.SOL_SOCKET, SockOpt.SO_DONTLINGER, 1), 0);
      assert.equal(api.closesocket(s, w.done), 0);
      await waitFor(rig, () => peer.ended, 'FIN');
      peer.end();
      await waitFor(rig, () => w.calls > 0, 'done');
      assert.deepEqual(w.result, { graceful: true, error: 0, unsentBytes: 0 });
      assertBytes(peer.received(), all, 'every byte, then FIN');
      break;
    case 'linger0':
      setLinger(rig, s, 1, 0);
      assert.equal(api.closesocket(s, w.done), 0);
      await rig.run(100);
      assert.equal(peer.ended, false, 'abortive: no FIN');
      assert.deepEqual(w.result, { graceful: false, error: WSAError.WSAECONNABORTED, unsentBytes: 0 });
      peer.send(pattern(5, 2));
      await waitFor(rig, () => peer.wasReset, 'the reset');
      break;
    case 'shutdown': {
      assert.equal(api.shutdown(s, ShutdownHow.SD_SEND), 0);
      await waitFor(rig, () => peer.ended, 'FIN');
      assertBytes(peer.received(), all, 'every byte, then FIN');
      peer.end();
      const got = await recvToEnd(rig, s);
      assert.equal(got.end, 0);
      let r = -1;
      await waitFor(rig, () => (r = api.closesocket(s, w.done)) === 0 || api.WSAGetLastError() !== WSAError.WSAEWOULDBLOCK, 'closesocket to complete');
      assert.equal(r, 0);
      await waitFor(rig, () => w.calls > 0, 'done');
      assert.deepEqual(w.result, { graceful: true, error: 0, unsentBytes: 0 });
      break;
    }
  }
  expectError(rig, api.closesocket(s, undefined), WSAError.WSAENOTSOCK, 'the handle is gone');
  await expectAllFree(rig);
}

// ------------------------------------------------------------------ §5

function fdLog(rig: ConformanceRig, s: number, events: number, also?: (ev: number, err: number) => void): string[] {
  const log: string[] = [];
  assert.equal(rig.api.WSAAsyncSelect(s, (_h, ev, err) => {
    log.push(fdEventName(ev) + ' ' + err);
    if (also) also(ev, err);
  }, events), 0);
  return log;
}

async function fdCloseAfterLastByte(rig: ConformanceRig): Promise<void> {
  const api = rig.api;
  const { s, peer } = await connected(rig, true);
  const data = pattern(3000, 12);
  let got: Uint8Array = new Uint8Array(0);
  let atClose = -1;
  const buf = new Uint8Array(500);
  const log = fdLog(rig, s, FdEvent.FD_READ | FdEvent.FD_CLOSE, (ev) => {
    if (ev === FdEvent.FD_READ) {
      const n = api.recv(s, buf, undefined, undefined); // one read per FD_READ: FD_READ comes again while data is left
      if (n > 0) got = concat(got, buf.subarray(0, n));
    }
    if (ev === FdEvent.FD_CLOSE) atClose = got.length;
  });
  peer.send(data);
  peer.end();
  await waitFor(rig, () => atClose >= 0, 'FD_CLOSE');
  assert.equal(atClose, 3000, 'FD_CLOSE came after the last byte was read');
  assertBytes(got, data, 'bytes before FD_CLOSE');
  assert.ok(log.length >= 7, 'one FD_READ per 500-byte read at least');
  assert.deepEqual(collapse(log), ['FD_READ 0', 'FD_CLOSE 0']);
  await rig.run(50);
  assert.equal(log.filter((x) => x.startsWith('FD_CLOSE')).length, 1, 'FD_CLOSE is posted once');
  assert.equal(api.closesocket(s, undefined), 0);
  await expectAllFree(rig);
}

async function fdCloseFin(rig: ConformanceRig): Promise<void> {
  const api = rig.api;
  const { s, peer } = await connected(rig, true);
  const log = fdLog(rig, s, FdEvent.FD_CLOSE);
  peer.end();
  await waitFor(rig, () => log.length > 0, 'FD_CLOSE');
  assert.deepEqual(log, ['FD_CLOSE 0']);
  assert.equal(api.recv(s, new Uint8Array(8), undefined, undefined), 0);
  assert.equal(api.closesocket(s, undefined), 0);
  await expectAllFree(rig);
}

async function fdCloseReset(rig: ConformanceRig): Promise<void> {
  const api = rig.api;
  const { s, peer } = await connected(rig, true);
  const log = fdLog(rig, s, FdEvent.FD_CLOSE);
  peer.reset();
  await waitFor(rig, () => log.length > 0, 'FD_CLOSE');
  assert.deepEqual(log, ['FD_CLOSE ' + WSAError.WSAECONNRESET]);
  expectError(rig, api.recv(s, new Uint8Array(8), undefined, undefined), WSAError.WSAECONNRESET, 'recv after a reset');
  expectError(rig, api.send(s, new Uint8Array(8), undefined, undefined), WSAError.WSAECONNRESET, 'send after a reset');
  assert.equal(api.closesocket(s, undefined), 0);
  await expectAllFree(rig);
}

async function fdCloseTimeout(rig: ConformanceRig): Promise<void> {
  const api = rig.api;
  if (!rig.silencePeer) {
    assert.fail(`${rig.name} cannot make a peer go silent, so a retransmission timeout cannot be caused here`);
  }
  const { s, peer } = await connected(rig, true);
  const log = fdLog(rig, s, FdEvent.FD_CLOSE);
  rig.silencePeer(peer);
  assert.equal(api.send(s, pattern(100, 1), undefined, undefined), 100);
  await waitFor(rig, () => log.length > 0, 'FD_CLOSE', 60000);
  assert.deepEqual(log, ['FD_CLOSE ' + WSAError.WSAECONNABORTED]);
  expectError(rig, api.recv(s, new Uint8Array(8), undefined, undefined), WSAError.WSAECONNABORTED, 'recv after a timeout');
  assert.equal(api.closesocket(s, undefined), 0);
  await expectAllFree(rig);
}

async function fdCloseNetDown(rig: ConformanceRig): Promise<void> {
  const api = rig.api;
  const { s } = await connected(rig, true);
  const log = fdLog(rig, s, FdEvent.FD_CLOSE);
  rig.failNic();
  // the NIC's failure shows when the layer next talks to it
  const r = api.send(s, pattern(10, 1), undefined, undefined);
  const e = api.WSAGetLastError();
  assert.ok(r === 10 || (r === -1 && (e === WSAError.WSAENETDOWN || e === WSAError.WSAEWOULDBLOCK)),
    `send is taken, or fails WSAENETDOWN, or WSAEWOULDBLOCK before the failure is known (got ${r}, error ${e})`);
  await waitFor(rig, () => log.length > 0, 'FD_CLOSE');
  assert.deepEqual(log, ['FD_CLOSE ' + WSAError.WSAENETDOWN]);
  expectError(rig, api.recv(s, new Uint8Array(8), undefined, undefined), WSAError.WSAENETDOWN, 'recv after the NIC failed');
  assert.equal(api.closesocket(s, undefined), 0);
}

async function recvAfterNicFailure(rig: ConformanceRig): Promise<void> {
  const api = rig.api;
  const { s, peer } = await connected(rig, false);
  peer.send(pattern(100, 2));
  const arg: IoctlArg = { value: 0 };
  await waitFor(rig, () => api.ioctlsocket(s, IoctlCmd.FIONREAD, arg) === 0 && arg.value === 100, '100 bytes readable');
  rig.failNic();
  const buf = new Uint8Array(100);
  for (let i = 1; i <= 3; i++) {
    expectError(rig, api.recv(s, buf, undefined, undefined), WSAError.WSAENETDOWN, `recv ${i} after the NIC failed (a 0 would read as a graceful end)`);
  }
  assert.equal(api.closesocket(s, undefined), 0);
}

async function noFdCloseAfterClose(rig: ConformanceRig): Promise<void> {
  const api = rig.api;
  const { s, peer } = await connected(rig, true);
  const log = fdLog(rig, s, RWC);
  await rig.run(20);
  const w = closeWatch();
  assert.equal(api.closesocket(s, w.done), 0);
  await waitFor(rig, () => peer.ended, 'FIN');
  peer.send(pattern(50, 1));
  peer.end();
  await waitFor(rig, () => w.calls > 0, 'done');
  await rig.run(50);
  assert.deepEqual(log.filter((x) => x.startsWith('FD_CLOSE')), [], 'no FD_CLOSE after closesocket');
  await expectAllFree(rig);
}

async function recvZeroForever(rig: ConformanceRig): Promise<void> {
  const api = rig.api;
  const { s, peer } = await connected(rig, true);
  const data = pattern(700, 13);
  peer.send(data);
  peer.end();
  const got = await recvToEnd(rig, s);
  assert.equal(got.end, 0);
  assertBytes(got.bytes, data, 'data before the end');
  const b = new Uint8Array(16);
  for (let i = 0; i < 5; i++) {
    assert.equal(api.recv(s, b, undefined, undefined), 0, 'recv returns 0 after the end, every time');
    await rig.run(5);
  }
  const fr: IoctlArg = { value: -1 };
  assert.equal(api.ioctlsocket(s, IoctlCmd.FIONREAD, fr), 0);
  assert.equal(fr.value, 0);
  const back = pattern(300, 14);
  await sendAll(rig, s, back);
  assert.equal(api.shutdown(s, ShutdownHow.SD_SEND), 0);
  await waitFor(rig, () => peer.ended, 'FIN');
  assertBytes(peer.received(), back, 'sending after the peer FIN');
  assert.equal(api.recv(s, b, undefined, undefined), 0);
  assert.equal(api.closesocket(s, undefined), 0);
  await expectAllFree(rig);
}

// ------------------------------------------------------------------ §3

async function shutdownSend(rig: ConformanceRig): Promise<void> {
  const api = rig.api;
  const { s, peer } = await connected(rig, true);
  const data = pattern(2600, 15);
  await sendAll(rig, s, data);
  assert.equal(api.shutdown(s, ShutdownHow.SD_SEND), 0);
  for (let i = 0; i < 3; i++) expectError(rig, api.send(s, data, 10, undefined), WSAError.WSAESHUTDOWN, 'send after SD_SEND');
  await waitFor(rig, () => peer.ended, 'FIN');
  assertBytes(peer.received(), data, 'every byte before the FIN');
  const back = pattern(1200, 16);
  peer.send(back);
  assertBytes(await recvExactly(rig, s, 1200), back, 'receiving goes on after SD_SEND');
  expectError(rig, api.send(s, data, 10, undefined), WSAError.WSAESHUTDOWN, 'a shut direction never reopens');
  assert.equal(api.getsockopt(s, OptLevel.SOL_SOCKET, SockOpt.SO_TYPE), SockType.SOCK_STREAM, 'shutdown keeps the handle');
  peer.end();
  assert.equal((await recvToEnd(rig, s)).end, 0);
  assert.equal(api.closesocket(s, undefined), 0);
  await expectAllFree(rig);
}

async function shutdownSendThenBulkIn(rig: ConformanceRig): Promise<void> {
  const api = rig.api;
  const { s, peer } = await connected(rig, true);
  assert.equal(api.shutdown(s, ShutdownHow.SD_SEND), 0);
  await waitFor(rig, () => peer.ended, 'FIN');
  const data = pattern(6000, 40);
  peer.send(data);
  peer.end();
  const got = await recvToEnd(rig, s);
  assert.equal(got.end, 0);
  assertBytes(got.bytes, data, 'every byte the peer sent after our FIN, before recv 0');
  assert.equal(api.closesocket(s, undefined), 0);
  await expectAllFree(rig);
}

async function shutdownReceive(rig: ConformanceRig): Promise<void> {
  const api = rig.api;
  const { s, peer } = await connected(rig, true);
  assert.equal(api.shutdown(s, ShutdownHow.SD_RECEIVE), 0);
  for (let i = 0; i < 3; i++) expectError(rig, api.recv(s, new Uint8Array(8), undefined, undefined), WSAError.WSAESHUTDOWN, 'recv after SD_RECEIVE');
  const data = pattern(1000, 17);
  await sendAll(rig, s, data);
  await waitFor(rig, () => peer.received().length === 1000, 'the data');
  assertBytes(peer.received(), data, 'sending goes on after SD_RECEIVE');
  assert.equal(peer.ended, false, 'SD_RECEIVE sends no FIN');
  assert.equal(api.shutdown(s, ShutdownHow.SD_SEND), 0);
  await waitFor(rig, () => peer.ended, 'FIN');
  peer.end();
  await rig.run(50);
  assert.equal(api.closesocket(s, undefined), 0);
  await expectAllFree(rig);
}

async function shutdownBoth(rig: ConformanceRig): Promise<void> {
  const api = rig.api;
  const { s, peer } = await connected(rig, true);
  const data = pattern(400, 18);
  await sendAll(rig, s, data);
  assert.equal(api.shutdown(s, ShutdownHow.SD_BOTH), 0);
  expectError(rig, api.send(s, data, 1, undefined), WSAError.WSAESHUTDOWN, 'send after SD_BOTH');
  expectError(rig, api.recv(s, new Uint8Array(8), undefined, undefined), WSAError.WSAESHUTDOWN, 'recv after SD_BOTH');
  await waitFor(rig, () => peer.ended, 'FIN');
  assertBytes(peer.received(), data, 'every byte before the FIN');
  assert.equal(api.getsockopt(s, OptLevel.SOL_SOCKET, SockOpt.SO_TYPE), SockType.SOCK_STREAM, 'the handle stays valid');
  peer.end();
  await rig.run(50);
  assert.equal(api.closesocket(s, undefined), 0);
  await expectAllFree(rig);
}

async function sdReceiveUnread(rig: ConformanceRig): Promise<void> {
  const api = rig.api;
  const { s, peer } = await connected(rig, true);
  peer.send(pattern(100, 19));
  const fr: IoctlArg = { value: 0 };
  await waitFor(rig, () => api.ioctlsocket(s, IoctlCmd.FIONREAD, fr) === 0 && fr.value === 100, 'unread data');
  assert.equal(api.shutdown(s, ShutdownHow.SD_RECEIVE), 0);
  expectError(rig, api.recv(s, new Uint8Array(8), undefined, undefined), WSAError.WSAESHUTDOWN, 'recv after SD_RECEIVE');
  expectError(rig, api.send(s, new Uint8Array(8), undefined, undefined), WSAError.WSAECONNABORTED, 'send on the reset connection');
  await expectPeerSeesReset(rig, peer);
  assert.equal(api.closesocket(s, undefined), 0);
  await expectAllFree(rig);
}

async function sdReceiveLateData(rig: ConformanceRig): Promise<void> {
  const api = rig.api;
  const { s, peer } = await connected(rig, true);
  assert.equal(api.shutdown(s, ShutdownHow.SD_RECEIVE), 0);
  await rig.run(50);
  assert.equal(api.send(s, pattern(10, 1), undefined, undefined), 10, 'the connection lives until data arrives');
  await waitFor(rig, () => peer.received().length === 10, 'the data');
  peer.send(pattern(100, 20));
  await waitFor(rig, () => {
    const r = api.send(s, new Uint8Array(1), 0, undefined);
    return r === -1 && api.WSAGetLastError() === WSAError.WSAECONNABORTED;
  }, 'the device to reset the connection');
  await expectPeerSeesReset(rig, peer);
  assert.equal(api.closesocket(s, undefined), 0);
  await expectAllFree(rig);
}

/**
 * A software stack resets at once: its RST reaches the peer without the peer sending anything (a peer whose
 * read side is open sees ECONNRESET). The W5500 (silent CLOSE) only answers the peer's next segment.
 */
async function expectPeerSeesReset(rig: ConformanceRig, peer: PeerConn): Promise<void> {
  if (rig.canSendReset) {
    await waitFor(rig, () => peer.wasReset, 'the RST, before the peer sends anything more');
  } else {
    await rig.run(50);
    assert.equal(peer.ended, false, 'no FIN');
    await pokeUntilReset(rig, peer);
  }
  assert.equal(peer.ended, false, 'a reset, not a FIN');
}

/** the peer sends until it learns of the reset (a kernel peer whose read side has ended hears of it on a later write) */
async function pokeUntilReset(rig: ConformanceRig, peer: PeerConn): Promise<void> {
  const end = rig.now() + STEP_MS;
  while (!peer.wasReset) {
    peer.send(pattern(10, 21));
    await rig.run(20);
    if (rig.now() > end) assert.fail('the peer never saw the reset');
  }
}

// ------------------------------------------------------------------ §8

async function notSock(rig: ConformanceRig): Promise<void> {
  const api = rig.api;
  const { s, peer } = await connected(rig, true);
  assert.equal(api.closesocket(s, undefined), 0);
  const b = new Uint8Array(4);
  const addr: SockAddr = { addr: '', port: 0 };
  const ne: WSANETWORKEVENTS = { lNetworkEvents: 0, iErrorCode: [] };
  const junk: unknown[] = [s, 0, -1, 99999, 1.5, NaN, '1', null, undefined, {}];
  for (const h0 of junk) {
    const h = h0 as number;
    const calls: [string, () => unknown][] = [
      ['bind', () => api.bind(h, '0.0.0.0', 0)],
      ['listen', () => api.listen(h, 1)],
      ['accept', () => api.accept(h, undefined)],
      ['connect', () => api.connect(h, rig.peers.ip, 1)],
      ['send', () => api.send(h, b, undefined, undefined)],
      ['recv', () => api.recv(h, b, undefined, undefined)],
      ['sendto', () => api.sendto(h, b, undefined, undefined, rig.peers.ip, 1)],
      ['recvfrom', () => api.recvfrom(h, b, undefined, undefined, undefined)],
      ['shutdown', () => api.shutdown(h, ShutdownHow.SD_BOTH)],
      ['WSASendDisconnect', () => api.WSASendDisconnect(h, undefined)],
      ['closesocket', () => api.closesocket(h, undefined)],
      ['setsockopt', () => api.setsockopt(h, OptLevel.SOL_SOCKET, SockOpt.SO_KEEPALIVE, 1)],
      ['getsockopt', () => api.getsockopt(h, OptLevel.SOL_SOCKET, SockOpt.SO_TYPE)],
      ['ioctlsocket', () => api.ioctlsocket(h, IoctlCmd.FIONBIO, 1)],
      ['WSAAsyncSelect', () => api.WSAAsyncSelect(h, () => undefined, FdEvent.FD_READ)],
      ['WSAEventSelect', () => api.WSAEventSelect(h, FdEvent.FD_READ, undefined)],
      ['WSAEnumNetworkEvents', () => api.WSAEnumNetworkEvents(h, ne)],
      ['getpeername', () => api.getpeername(h, addr)],
      ['getsockname', () => api.getsockname(h, addr)],
    ];
    for (const [name, call] of calls) expectError(rig, call(), WSAError.WSAENOTSOCK, `${name}(${String(h0)})`);
  }
  await waitFor(rig, () => peer.ended, 'the closed socket FIN');
  peer.end();
  await expectAllFree(rig);
}

async function junkArguments(rig: ConformanceRig): Promise<void> {
  const api = rig.api;
  const { s, peer } = await connected(rig, true);
  const free = rig.freeEndpoints();
  const b = new Uint8Array(8);
  const sol = OptLevel.SOL_SOCKET;
  const cases: [string, () => unknown, number][] = [
    ['socket(bad af)', () => api.socket(99, SockType.SOCK_STREAM, 0), WSAError.WSAEAFNOSUPPORT],
    ['socket(bad type)', () => api.socket(AddressFamily.AF_INET, 42, 0), WSAError.WSAESOCKTNOSUPPORT],
    ['socket(UDP protocol on a stream)', () => api.socket(AddressFamily.AF_INET, SockType.SOCK_STREAM, 17), WSAError.WSAEPROTONOSUPPORT],
    ['send(not a Uint8Array)', () => api.send(s, 'abc' as unknown as Uint8Array, undefined, undefined), WSAError.WSAEFAULT],
    ['send(negative length)', () => api.send(s, b, -1, undefined), WSAError.WSAEINVAL],
    ['send(length beyond the buffer)', () => api.send(s, b, 9, undefined), WSAError.WSAEFAULT],
    ['send(MSG_OOB)', () => api.send(s, b, undefined, MsgFlag.MSG_OOB), WSAError.WSAEOPNOTSUPP],
    ['recv(not a Uint8Array)', () => api.recv(s, [1, 2] as unknown as Uint8Array, undefined, undefined), WSAError.WSAEFAULT],
    ['recv(fractional length)', () => api.recv(s, b, 1.5, undefined), WSAError.WSAEINVAL],
    ['recv(MSG_PEEK)', () => api.recv(s, b, undefined, MsgFlag.MSG_PEEK), WSAError.WSAEOPNOTSUPP],
    ['shutdown(how 3)', () => api.shutdown(s, 3), WSAError.WSAEINVAL],
    ['shutdown(how -1)', () => api.shutdown(s, -1), WSAError.WSAEINVAL],
    ['connect(again)', () => api.connect(s, rig.peers.ip, 80), WSAError.WSAEISCONN],
    ['connect(bad address)', () => api.connect(s, '300.1.1.1', 80), WSAError.WSAEFAULT],
    ['connect(port out of range)', () => api.connect(s, rig.peers.ip, 70000), WSAError.WSAEINVAL],
    ['bind(already connected)', () => api.bind(s, '0.0.0.0', 0), WSAError.WSAEINVAL],
    ['listen(connected)', () => api.listen(s, 1), WSAError.WSAEISCONN],
    ['accept(not listening)', () => api.accept(s, undefined), WSAError.WSAEINVAL],
    ['setsockopt(unknown option)', () => api.setsockopt(s, sol, 0x7777, 1), WSAError.WSAENOPROTOOPT],
    ['setsockopt(unknown level)', () => api.setsockopt(s, 12345, SockOpt.SO_KEEPALIVE, 1), WSAError.WSAEINVAL],
    ['setsockopt(SO_LINGER not an object)', () => api.setsockopt(s, sol, SockOpt.SO_LINGER, 5), WSAError.WSAEFAULT],
    ['setsockopt(SO_LINGER 70000 s)', () => api.setsockopt(s, sol, SockOpt.SO_LINGER, { onoff: 1, linger: 70000 }), WSAError.WSAEFAULT],
    ['setsockopt(SO_RCVTIMEO negative)', () => api.setsockopt(s, sol, SockOpt.SO_RCVTIMEO, -5), WSAError.WSAEFAULT],
    ['setsockopt(TCP_NODELAY at SOL_SOCKET level)', () => api.setsockopt(s, sol, TcpOpt.TCP_NODELAY, 1), WSAError.WSAENOPROTOOPT],
    ['getsockopt(unknown option)', () => api.getsockopt(s, sol, 0x7777), WSAError.WSAENOPROTOOPT],
    ['ioctlsocket(unknown command)', () => api.ioctlsocket(s, 0x1234, 0), WSAError.WSAEINVAL],
    ['ioctlsocket(FIONREAD without an out-argument)', () => api.ioctlsocket(s, IoctlCmd.FIONREAD, 0), WSAError.WSAEFAULT],
    ['WSAAsyncSelect(unknown event bits)', () => api.WSAAsyncSelect(s, () => undefined, 0x10000), WSAError.WSAEINVAL],
    ['WSAAsyncSelect(handler not a function)', () => api.WSAAsyncSelect(s, 5 as unknown as () => void, FdEvent.FD_READ), WSAError.WSAEINVAL],
    ['WSAEnumNetworkEvents(no out-argument)', () => api.WSAEnumNetworkEvents(s, null as unknown as WSANETWORKEVENTS), WSAError.WSAEFAULT],
    ['WSASendDisconnect(disconnect data)', () => api.WSASendDisconnect(s, new Uint8Array([1])), WSAError.WSAENOPROTOOPT],
    ['getpeername(no out-argument)', () => api.getpeername(s, 7 as unknown as SockAddr), WSAError.WSAEFAULT],
    ['closesocket(done not a function)', () => api.closesocket(s, 'x' as unknown as undefined), WSAError.WSAEFAULT],
  ];
  for (const [name, call, code] of cases) expectError(rig, call(), code, name);
  // nothing changed: same socket, same options, same hardware sockets, bytes still flow both ways
  assert.equal(rig.freeEndpoints(), free, 'no hardware socket taken or freed');
  assert.deepEqual(api.getsockopt(s, OptLevel.SOL_SOCKET, SockOpt.SO_LINGER), { onoff: 0, linger: 0 });
  assert.equal(api.getsockopt(s, OptLevel.SOL_SOCKET, SockOpt.SO_RCVTIMEO), 0);
  const out = pattern(500, 22);
  await sendAll(rig, s, out);
  await waitFor(rig, () => peer.received().length === 500, 'the data');
  assertBytes(peer.received(), out, 'the connection still carries bytes out');
  const back = pattern(300, 23);
  peer.send(back);
  assertBytes(await recvExactly(rig, s, 300), back, 'and in');
  assert.equal(peer.ended || peer.wasReset, false);
  assert.equal(api.closesocket(s, undefined), 0);
  await waitFor(rig, () => peer.ended, 'FIN');
  peer.end();
  await expectAllFree(rig);
}

// ------------------------------------------------------------------ §6

function frames(...msgs: Uint8Array[]): Uint8Array {
  let out: Uint8Array = new Uint8Array(0);
  for (const m of msgs) out = concat(out, frameMessage(m, 0, m.length));
  return out;
}

async function seqpacketDiscon(rig: ConformanceRig): Promise<void> {
  const api = rig.api;
  const l = await rig.peers.listen();
  const { s, peer } = await deviceConnects(rig, l, SockType.SOCK_SEQPACKET);
  const log = fdLog(rig, s, FdEvent.FD_CLOSE);
  const m1 = pattern(5, 24);
  const m2 = new Uint8Array(0);
  const m3 = pattern(1500, 25);
  // device → peer: whole messages, framed
  assert.equal(api.send(s, m1, undefined, undefined), 5);
  await rig.run(5);
  assert.equal(api.send(s, m2, undefined, undefined), 0);
  await rig.run(5);
  await waitFor(rig, () => api.send(s, m3, undefined, undefined) === 1500 || api.WSAGetLastError() !== WSAError.WSAEWOULDBLOCK, 'the third message to go');
  const want = frames(m1, m2, m3);
  await waitFor(rig, () => peer.received().length >= want.length, 'the framed messages');
  const reader = new MessageReader(4096);
  const seen: Uint8Array[] = [];
  const bytes = peer.received();
  let off = 0;
  while (off < bytes.length) {
    off += reader.push(bytes, off, bytes.length - off);
    if (reader.ready()) seen.push(reader.take());
  }
  assert.equal(seen.length, 3);
  assertBytes(seen[0], m1, 'message 1');
  assert.equal(seen[1].length, 0, 'message 2 is empty');
  assertBytes(seen[2], m3, 'message 3');
  // peer → device
  peer.send(frames(m3, m2, m1));
  peer.end();
  const buf = new Uint8Array(2000);
  const got: number[] = [];
  let last = 0;
  await waitFor(rig, () => {
    const n = api.recv(s, buf, undefined, undefined);
    if (n >= 0) { got.push(n); return false; }
    last = api.WSAGetLastError();
    return last !== WSAError.WSAEWOULDBLOCK;
  }, 'WSAEDISCON');
  assert.deepEqual(got, [1500, 0, 5], 'one whole message per recv, the empty one as 0');
  assert.equal(last, WSAError.WSAEDISCON, 'the graceful end is WSAEDISCON');
  expectError(rig, api.recv(s, buf, undefined, undefined), WSAError.WSAEDISCON, 'and again');
  await waitFor(rig, () => log.length > 0, 'FD_CLOSE');
  assert.deepEqual(log, ['FD_CLOSE 0']);
  assert.equal(api.closesocket(s, undefined), 0);
  await waitFor(rig, () => peer.ended, 'FIN');
  await expectAllFree(rig);
}

async function seqpacketMsgSize(rig: ConformanceRig): Promise<void> {
  const api = rig.api;
  const { s, peer, listener } = await deviceAccepts(rig, SockType.SOCK_SEQPACKET);
  assert.equal(api.closesocket(listener, undefined), 0);
  const big = pattern(100, 26);
  const next = pattern(8, 27);
  peer.send(frames(big, next));
  const buf = new Uint8Array(10);
  await waitFor(rig, () => api.recv(s, buf, undefined, undefined) !== -1 || api.WSAGetLastError() !== WSAError.WSAEWOULDBLOCK, 'a message');
  assert.equal(api.WSAGetLastError(), WSAError.WSAEMSGSIZE, 'a message larger than the buffer fails WSAEMSGSIZE');
  assertBytes(buf, big.subarray(0, 10), 'the buffer holds the message truncated');
  let n = -1;
  await waitFor(rig, () => (n = api.recv(s, buf, undefined, undefined)) !== -1 || api.WSAGetLastError() !== WSAError.WSAEWOULDBLOCK, 'the next message');
  assert.equal(n, 8, 'the next message is whole; the rest of the long one is gone');
  assertBytes(buf.subarray(0, 8), next, 'message 2');
  peer.end();
  await waitFor(rig, () => api.recv(s, buf, undefined, undefined) === -1 && api.WSAGetLastError() === WSAError.WSAEDISCON, 'WSAEDISCON');
  assert.equal(api.closesocket(s, undefined), 0);
  await waitFor(rig, () => peer.ended, 'FIN');
  await expectAllFree(rig);
}

// ------------------------------------------------------------------ teardown matrix

type DeviceHow = 'shutdown' | 'dontlinger' | 'linger0' | 'lingerN';
type Flow = 'none' | 'out' | 'in' | 'both';

const OUT_BYTES = 3000;
const IN_BYTES = 3000;

/** closes the device socket `how`; returns the done watch. lingerN blocks, with a bound of 2 s. */
function deviceClose(rig: ConformanceRig, s: number, how: DeviceHow): ReturnType<typeof closeWatch> {
  const api = rig.api;
  const w = closeWatch();
  switch (how) {
    case 'shutdown':
      assert.equal(api.shutdown(s, ShutdownHow.SD_SEND), 0);
      break;
    case 'dontlinger':
      assert.equal(api.closesocket(s, w.done), 0);
      break;
    case 'linger0':
      setLinger(rig, s, 1, 0);
      assert.equal(api.closesocket(s, w.done), 0);
      break;
    case 'lingerN':
      setNonBlocking(rig, s, false);
      setLinger(rig, s, 1, 2);
      assert.equal(api.closesocket(s, w.done), 0);
      break;
  }
  return w;
}

async function deviceFirst(rig: ConformanceRig, how: DeviceHow, flow: Flow): Promise<void> {
  const api = rig.api;
  const { s, peer } = await connected(rig, true);
  const out = flow === 'out' || flow === 'both' ? pattern(OUT_BYTES, 30) : new Uint8Array(0);
  const inn = flow === 'in' || flow === 'both' ? pattern(IN_BYTES, 31) : new Uint8Array(0);
  // the peer answers our FIN with its own, at once (a kernel peer: when its event loop runs)
  peer.onEnd = () => peer.end();
  if (inn.length > 0) peer.send(inn);
  if (out.length > 0) await sendAll(rig, s, out);
  if (inn.length > 0) await rig.run(rig.realTime ? 20 : 5); // in flight, not read
  const w = deviceClose(rig, s, how);
  if (how === 'shutdown') {
    const got = await recvToEnd(rig, s);
    assert.equal(got.end, 0, 'the peer closed gracefully');
    assertBytes(got.bytes, inn, 'every byte the peer sent before its FIN');
    assert.equal(api.closesocket(s, w.done), 0);
  }
  if (how === 'linger0') {
    await rig.run(100);
    assert.equal(peer.ended, false, 'abortive: no FIN');
    assert.equal(w.calls, 1);
    const r = w.result!;
    assert.equal(r.graceful, false);
    assert.equal(r.error, WSAError.WSAECONNABORTED);
    // Data in flight: what the peer had not acknowledged is dropped and counted. Which bytes were
    // acknowledged when CLOSE came is timing; what the peer never got cannot have been.
    const missing = out.length - peer.received().length;
    assert.ok(r.unsentBytes >= missing && r.unsentBytes <= out.length,
      `unsentBytes ${r.unsentBytes}: at least the ${missing} bytes the peer never got, at most the ${out.length} sent`);
    assertBytes(peer.received(), out.subarray(0, peer.received().length), 'what the peer got is a prefix of what was sent');
    await expectAllFree(rig);
    return;
  }
  await waitFor(rig, () => peer.ended, 'FIN');
  assertBytes(peer.received(), out, 'every byte the device queued before closing, in order, then FIN');
  await waitFor(rig, () => w.calls > 0, 'done', 8000);
  const graceful = how !== 'lingerN' || rig.peersReactWhileBlocked;
  if (graceful) assert.deepEqual(w.result, { graceful: true, error: 0, unsentBytes: 0 });
  else assert.deepEqual(w.result, { graceful: false, error: WSAError.WSAETIMEDOUT, unsentBytes: 0 }, 'the peer could not answer during the 2 s');
  await expectAllFree(rig);
  assert.equal(peer.wasReset && graceful, false, 'a graceful close resets nothing');
}

async function peerFinFirst(rig: ConformanceRig, how: DeviceHow, flow: Flow): Promise<void> {
  const api = rig.api;
  const { s, peer } = await connected(rig, true);
  const out = flow === 'out' || flow === 'both' ? pattern(OUT_BYTES, 32) : new Uint8Array(0);
  const inn = flow === 'in' || flow === 'both' ? pattern(IN_BYTES, 33) : new Uint8Array(0);
  if (inn.length > 0) peer.send(inn);
  peer.end();
  if (out.length > 0) await sendAll(rig, s, out); // sending into a half-closed connection
  const got = await recvToEnd(rig, s);
  assert.equal(got.end, 0);
  assertBytes(got.bytes, inn, 'every byte the peer sent, in order, before recv 0');
  if (how === 'linger0') {
    // every byte delivered and acknowledged first, so the abortive close drops an exact 0
    await waitFor(rig, () => peer.received().length === out.length, 'every byte at the peer');
    await rig.run(20);
  }
  const w = deviceClose(rig, s, how);
  if (how === 'shutdown') assert.equal(api.closesocket(s, w.done), 0);
  if (how === 'linger0') {
    await waitFor(rig, () => w.calls > 0, 'done');
    assert.deepEqual(w.result, { graceful: false, error: WSAError.WSAECONNABORTED, unsentBytes: 0 });
    await rig.run(100);
    assert.equal(peer.ended, false, 'abortive: no FIN');
    if (rig.canSendReset) {
      await waitFor(rig, () => peer.wasReset, 'the RST');
    } else {
      // W5500: CLOSE is silent, and a peer that has sent its FIN sends nothing the chip could answer with RST
      await rig.run(100);
      assert.equal(peer.wasReset, false, 'W5500: CLOSE sends nothing');
    }
    assertBytes(peer.received(), out, 'every byte sent before the close');
    await expectAllFree(rig);
    assert.equal(w.calls, 1);
    return;
  }
  await waitFor(rig, () => peer.ended, 'FIN');
  assertBytes(peer.received(), out, 'every byte the device sent, in order, then FIN');
  await waitFor(rig, () => w.calls > 0, 'done');
  assert.deepEqual(w.result, { graceful: true, error: 0, unsentBytes: 0 });
  await expectAllFree(rig);
}

async function peerRstFirst(rig: ConformanceRig, flow: Flow): Promise<void> {
  const api = rig.api;
  const { s, peer } = await connected(rig, true);
  const out = flow === 'out' || flow === 'both' ? pattern(OUT_BYTES, 34) : new Uint8Array(0);
  const inn = flow === 'in' || flow === 'both' ? pattern(IN_BYTES, 35) : new Uint8Array(0);
  const log = fdLog(rig, s, FdEvent.FD_CLOSE);
  if (inn.length > 0) peer.send(inn);
  if (out.length > 0) await sendAll(rig, s, out);
  await rig.run(rig.realTime ? 20 : 5);
  peer.reset();
  await waitFor(rig, () => log.length > 0, 'FD_CLOSE');
  assert.deepEqual(log, ['FD_CLOSE ' + WSAError.WSAECONNRESET], 'a reset drops unread data: FD_CLOSE at once');
  expectError(rig, api.recv(s, new Uint8Array(10), undefined, undefined), WSAError.WSAECONNRESET, 'recv after the reset');
  const w = closeWatch();
  assert.equal(api.closesocket(s, w.done), 0);
  await waitFor(rig, () => w.calls > 0, 'done');
  assert.equal(w.result?.graceful, false);
  assert.equal(w.result?.error, WSAError.WSAECONNRESET);
  await expectAllFree(rig);
}
