import type { App } from './app';
import { startNetwork } from '../runtime';
import { BENCH_NETWORK } from './bench-network';
import { AddressFamily, FdEvent, OptLevel, ShutdownHow, SockOpt, SockType } from '../socket/constants';
import { WSAError } from '../socket/errors';
import { fdEventName } from '../socket/events';
import type { SocketLayer } from '../socket/layer';
import type { CloseResult } from '../socket/types';
import type { Clock } from '../../hal/clock';

/**
 * Hardware in the loop (`npm run hil`): teardown scenarios of docs/socket-semantics.md run on the real chip, each
 * against the PC's peer server (tools/hil-peer.ts), which acts its part from the first line the device sends. The
 * device prints one line per scenario on its console — `HIL <name> PASS` or `HIL <name> FAIL <why>` — and
 * `HIL DONE <passed> <failed>` at the end; the runner adds the peer's own verdict. The runner starts the run by
 * calling `hil(peerIp, peerPort)` on the console once the device has printed `HIL READY`.
 */

declare let hil: (peerIp: string, peerPort: number) => void;

/** what one scenario reports: '' = passed, else why not */
type Verdict = (why: string) => void;

interface Conn {
  s: number;
  /** bytes received */
  got: number;
  /** bytes received that broke the pattern */
  bad: number;
  /** FD_* events in order, by name */
  events: string[];
  /** error of FD_CLOSE, -1 before it */
  closeErr: number;
  /** what the scenario does on FD_READ, FD_WRITE and FD_CLOSE */
  onRead?: () => void;
  onWrite?: () => void;
  onClose?: () => void;
}

/** byte i of what either side sends: the same on the peer (tools/hil-peer.ts) */
function patternByte(i: number): number {
  return (i * 7 + 1) & 255;
}

function pattern(n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = patternByte(i);
  return b;
}

function line(text: string): Uint8Array {
  const b = new Uint8Array(text.length + 1);
  for (let i = 0; i < text.length; i++) b[i] = text.charCodeAt(i);
  b[text.length] = 10;
  return b;
}

/** Each scenario connects to the peer, names itself, acts and judges; `done` is called once. */
interface Scenario { name: string; run: (api: SocketLayer, c: Conn, done: Verdict, clock: Clock) => void }

const buf = new Uint8Array(512);

/** reads everything there is, checking it against the pattern; returns recv's last result */
function drain(api: SocketLayer, c: Conn): number {
  for (;;) {
    const n = api.recv(c.s, buf, buf.length, 0);
    if (n <= 0) return n;
    for (let i = 0; i < n; i++) if (buf[i] !== patternByte(c.got + i)) c.bad++;
    c.got += n;
  }
}

function sendAll(api: SocketLayer, c: Conn, data: Uint8Array): string {
  const n = api.send(c.s, data, data.length, 0);
  if (n !== data.length) return 'send took ' + n + ' of ' + data.length + ' bytes (error ' + api.WSAGetLastError() + ')';
  return '';
}

function closed(api: SocketLayer, c: Conn, done: Verdict, expectErr: number, expectBytes: number): void {
  if (c.closeErr !== expectErr) { done('FD_CLOSE error ' + c.closeErr + ', expected ' + expectErr); return; }
  if (c.got !== expectBytes || c.bad) { done('received ' + c.got + ' bytes (' + c.bad + ' wrong), expected ' + expectBytes); return; }
  const r = api.recv(c.s, buf, buf.length, 0);
  if (expectErr === 0 && r !== 0) { done('recv after FD_CLOSE gave ' + r + ', expected 0'); return; }
  if (expectErr !== 0 && (r !== -1 || api.WSAGetLastError() !== expectErr)) { done('recv after FD_CLOSE gave ' + r + ' error ' + api.WSAGetLastError()); return; }
  if (c.events.indexOf('FD_READ') > c.events.indexOf('FD_CLOSE') && c.events.indexOf('FD_READ') >= 0) { done('FD_READ after FD_CLOSE: ' + c.events.join(' ')); return; }
  api.closesocket(c.s);
  done('');
}

function closeGracefully(api: SocketLayer, c: Conn, done: Verdict, what: string): void {
  api.closesocket(c.s, function (r: CloseResult) {
    done(r.graceful && r.unsentBytes === 0 ? '' : what + ' ended ' + (r.graceful ? 'graceful' : 'error ' + r.error) + ', ' + r.unsentBytes + ' bytes unsent');
  });
}

const SCENARIOS: Scenario[] = [
  {
    // 1000 bytes there and back, then our FIN, the peer's FIN: FD_CLOSE 0, recv 0
    name: 'echo',
    run: function (api, c, done) {
      const data = pattern(1000);
      const e = sendAll(api, c, data);
      if (e) { done(e); return; }
      c.onRead = function () {
        drain(api, c);
        if (c.got === 1000) api.shutdown(c.s, ShutdownHow.SD_SEND);
      };
      c.onClose = function () { drain(api, c); closed(api, c, done, 0, 1000); };
    },
  },
  {
    // the peer sends 700 bytes and its FIN: FD_READ first, FD_CLOSE 0 only after the last byte was read
    name: 'peer-fin',
    run: function (api, c, done) {
      c.onRead = function () { drain(api, c); };
      c.onClose = function () { drain(api, c); closed(api, c, done, 0, 700); };
    },
  },
  {
    // the peer resets: FD_CLOSE WSAECONNRESET, recv fails WSAECONNRESET
    name: 'peer-rst',
    run: function (api, c, done) {
      c.onRead = function () { drain(api, c); };
      c.onClose = function () {
        if (c.closeErr === 0) drain(api, c);
        closed(api, c, done, WSAError.WSAECONNRESET, c.got);
      };
    },
  },
  {
    // 3000 bytes, more than the chip's 2 KB buffer takes at once (the rest on FD_WRITE), then closesocket with
    // SO_DONTLINGER: every byte, then FIN; done reports graceful
    name: 'dontlinger',
    run: function (api, c, done) {
      const data = pattern(3000);
      let sent = 0;
      c.onWrite = function () {
        while (sent < data.length) {
          const n = api.send(c.s, data.subarray(sent), data.length - sent, 0);
          if (n < 0) {
            if (api.WSAGetLastError() !== WSAError.WSAEWOULDBLOCK) done('send failed ' + api.WSAGetLastError());
            return;
          }
          sent += n;
        }
        c.onWrite = undefined;
        closeGracefully(api, c, done, 'the close');
      };
      c.onWrite();
    },
  },
  {
    // SO_LINGER 0: abortive, the data is dropped; the peer meets a RST when it next sends
    name: 'linger0',
    run: function (api, c, done, clock) {
      const e = sendAll(api, c, pattern(100));
      if (e) { done(e); return; }
      clock.setTimeout(function () {
        api.setsockopt(c.s, OptLevel.SOL_SOCKET, SockOpt.SO_LINGER, { onoff: 1, linger: 0 });
        api.closesocket(c.s, function (r: CloseResult) {
          done(!r.graceful && r.error === WSAError.WSAECONNABORTED ? '' : 'linger 0 close ended ' + (r.graceful ? 'graceful' : 'error ' + r.error));
        });
      }, 300);
    },
  },
  {
    // 2000 bytes and shutdown(SD_SEND): the peer sees them and FIN, answers 500 bytes and its FIN, which we read
    name: 'shutdown-send',
    run: function (api, c, done) {
      const e = sendAll(api, c, pattern(2000));
      if (e) { done(e); return; }
      if (api.shutdown(c.s, ShutdownHow.SD_SEND) !== 0) { done('shutdown failed ' + api.WSAGetLastError()); return; }
      if (api.send(c.s, buf, 1, 0) !== -1 || api.WSAGetLastError() !== WSAError.WSAESHUTDOWN) { done('send after shutdown did not fail WSAESHUTDOWN'); return; }
      c.onRead = function () { drain(api, c); };
      c.onClose = function () { drain(api, c); closed(api, c, done, 0, 500); };
    },
  },
];

const SCENARIO_MS = 8000;

export const main: App = function (hal) {
  const net = startNetwork(hal, BENCH_NETWORK);
  const api = net.api;
  if (!api) {
    hal.log('HIL FAILED network: ' + net.reason);
    return net.stop;
  }
  let passed = 0;
  let failed = 0;
  let timer: number | undefined;
  const next = function (i: number, ip: string, port: number): void {
    if (i >= SCENARIOS.length) {
      hal.log('HIL DONE ' + passed + ' ' + failed);
      return;
    }
    const sc = SCENARIOS[i];
    let over = false;
    const c: Conn = { s: -1, got: 0, bad: 0, events: [], closeErr: -1 };
    const done: Verdict = function (why: string) {
      if (over) return;
      over = true;
      if (timer !== undefined) hal.clock.clearTimeout(timer);
      timer = undefined;
      if (why) failed++;
      else passed++;
      hal.log('HIL ' + sc.name + (why ? ' FAIL ' + why : ' PASS'));
      // a failed scenario's socket is cut off, so it cannot disturb the next one
      if (why && c.s >= 0) {
        api.setsockopt(c.s, OptLevel.SOL_SOCKET, SockOpt.SO_LINGER, { onoff: 1, linger: 0 });
        api.closesocket(c.s);
      }
      hal.clock.setTimeout(function () { next(i + 1, ip, port); }, 200);
    };
    timer = hal.clock.setTimeout(function () { timer = undefined; done('timed out after ' + SCENARIO_MS + ' ms; events ' + c.events.join(' ')); }, SCENARIO_MS);
    c.s = api.socket(AddressFamily.AF_INET, SockType.SOCK_STREAM, 0);
    if (c.s < 0) { done('socket failed ' + api.WSAGetLastError()); return; }
    api.WSAAsyncSelect(c.s, function (s: number, ev: number, err: number) {
      if (over) return;
      c.events.push(fdEventName(ev));
      if (ev === FdEvent.FD_CONNECT) {
        if (err) { done('connect to the peer failed ' + err); return; }
        const e = sendAll(api, c, line(sc.name));
        if (e) { done(e); return; }
        sc.run(api, c, done, hal.clock);
      } else if (ev === FdEvent.FD_READ) {
        if (c.onRead) c.onRead();
      } else if (ev === FdEvent.FD_WRITE) {
        if (c.onWrite) c.onWrite();
      } else if (ev === FdEvent.FD_CLOSE) {
        c.closeErr = err;
        if (c.onClose) c.onClose();
      }
    }, FdEvent.FD_CONNECT | FdEvent.FD_READ | FdEvent.FD_WRITE | FdEvent.FD_CLOSE);
    if (api.connect(c.s, ip, port) !== 0 && api.WSAGetLastError() !== WSAError.WSAEWOULDBLOCK) done('connect failed ' + api.WSAGetLastError());
  };
  let started = false;
  hil = function (peerIp: string, peerPort: number) {
    if (started) return;
    started = true;
    hal.log('HIL START ' + SCENARIOS.length + ' scenarios against ' + peerIp + ':' + peerPort);
    next(0, peerIp, peerPort);
  };
  hal.log('HIL READY ' + SCENARIOS.length);
  return function () {
    if (timer !== undefined) hal.clock.clearTimeout(timer);
    net.stop();
  };
};
