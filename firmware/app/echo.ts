import type { App, BoardHal } from './app';
import { startNetwork } from '../runtime';
import { BENCH_NETWORK } from './bench-network';
import { AddressFamily, FdEvent, SockType } from '../socket/constants';
import { WSAError } from '../socket/errors';
import { fdEventName } from '../socket/events';
import type { SocketLayer } from '../socket/layer';
import type { CloseResult, SockAddr } from '../socket/types';

const ECHO_PORT = 7;

/** what the echo service tells of its connections (the status page's book, status.ts, has these) */
export interface EchoWatch {
  opened(s: number, service: string, peer: string): void;
  bytes(s: number, bytesIn: number, bytesOut: number): void;
  state(s: number, state: string): void;
  closed(s: number, r: CloseResult): void;
}

/**
 * A TCP echo service (RFC 862) on port 7 through the socket layer with WSAAsyncSelect, logging every FD_* event,
 * and closing gracefully on FD_CLOSE once everything received has been echoed. What the layer cannot take at once
 * waits, and reading stops, until FD_WRITE: no byte is dropped. Returns its stop (closes every connection and the
 * listening socket), or null when it could not listen (logged).
 */
export function startEcho(hal: BoardHal, api: SocketLayer, watch: EchoWatch | null): (() => void) | null {
  const buf = new Uint8Array(512);
  const from: SockAddr = { addr: '', port: 0 };
  // bytes received but not yet taken by send, per socket handle; reading waits while any are held
  const pending: (Uint8Array | undefined)[] = [];
  const closing: boolean[] = [];
  // accepted connections not yet handed to closesocket
  const open: number[] = [];
  const flush = function (s: number): boolean {
    const p = pending[s];
    if (!p) return true;
    const sent = api.send(s, p, p.length, 0);
    if (sent < 0) {
      if (api.WSAGetLastError() === WSAError.WSAEWOULDBLOCK) return false;
      pending[s] = undefined; // the connection is ending; FD_CLOSE says how
      return false;
    }
    hal.log('s' + s + ': echoed ' + sent + ' held bytes of ' + p.length);
    if (watch) watch.bytes(s, 0, sent);
    // slice() would give a plain Array on Espruino, which send refuses (WSAEFAULT)
    pending[s] = sent < p.length ? p.subarray(sent) : undefined;
    return !pending[s];
  };
  const echo = function (s: number): void {
    while (flush(s)) {
      const n = api.recv(s, buf, buf.length, 0);
      if (n <= 0) return;
      const sent = api.send(s, buf, n, 0);
      const took = sent < 0 ? 0 : sent;
      hal.log('s' + s + ': echoed ' + took + ' of ' + n + ' bytes');
      if (watch) watch.bytes(s, n, took);
      if (sent < 0 && api.WSAGetLastError() !== WSAError.WSAEWOULDBLOCK) return;
      if (took < n) pending[s] = new Uint8Array(buf.subarray(took, n)); // a copy: buf is read into again
    }
  };
  const finish = function (s: number): void {
    pending[s] = undefined;
    closing[s] = false;
    const i = open.indexOf(s);
    if (i >= 0) open.splice(i, 1);
    api.closesocket(s, function (r: CloseResult) {
      hal.log('s' + s + ': closed, ' + (r.graceful ? 'graceful' : 'error ' + r.error) + ', ' + r.unsentBytes + ' bytes unsent');
      if (watch) watch.closed(s, r);
    });
  };
  const onEvent = function (s: number, ev: number, err: number): void {
    hal.log(fdEventName(ev) + ' s' + s + (err ? ' error ' + err : ''));
    if (ev === FdEvent.FD_ACCEPT) {
      const c = api.accept(s, from);
      if (c < 0) return;
      hal.log('s' + c + ': accepted ' + from.addr + ':' + from.port);
      open.push(c);
      if (watch) watch.opened(c, 'echo', from.addr + ':' + from.port);
      api.WSAAsyncSelect(c, onEvent, FdEvent.FD_READ | FdEvent.FD_WRITE | FdEvent.FD_CLOSE);
    } else if (ev === FdEvent.FD_READ) {
      echo(s);
    } else if (ev === FdEvent.FD_WRITE) {
      echo(s);
      if (closing[s] && !pending[s]) finish(s);
    } else if (ev === FdEvent.FD_CLOSE) {
      if (watch) watch.state(s, err ? 'reset (error ' + err + ')' : 'peer FIN');
      if (!err) echo(s);
      if (!err && pending[s]) closing[s] = true; // close once FD_WRITE has taken the rest
      else finish(s);
    }
  };
  const ls = api.socket(AddressFamily.AF_INET, SockType.SOCK_STREAM, 0);
  if (ls < 0 || api.bind(ls, '0.0.0.0', ECHO_PORT) < 0 || api.listen(ls, 2) < 0 ||
    api.WSAAsyncSelect(ls, onEvent, FdEvent.FD_ACCEPT) < 0) {
    hal.log('echo service failed: error ' + api.WSAGetLastError());
    return null;
  }
  hal.log('echo service on port ' + ECHO_PORT);
  return function () {
    hal.log('stopping: closing ' + open.length + ' connection(s)');
    while (open.length > 0) api.closesocket(open.pop() as number);
    api.closesocket(ls);
  };
}

/**
 * The echo service alone: the default firmware of a board whose standard Espruino firmware has no NetworkJS, which
 * the status page needs (the Original Espruino: boards/espruino-original.ts `firmwareApp`). Stopping (E.on('kill'))
 * closes every connection gracefully and waits for their ends within the board's kill bound.
 */
export const main: App = function (hal) {
  const net = startNetwork(hal, BENCH_NETWORK);
  const api = net.api;
  if (!api) {
    hal.log(net.reason);
    return net.stop;
  }
  hal.log(net.nicName + ' up on ' + hal.board + ': ' + BENCH_NETWORK.ip);
  const stopEcho = startEcho(hal, api, null);
  if (!stopEcho) return net.stop;
  return function () {
    stopEcho();
    api.finishCloses(hal.killBoundMs !== undefined ? hal.killBoundMs : 2000);
    net.stop();
  };
};
