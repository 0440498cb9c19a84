import type { App } from './app';
import { startNetwork } from '../runtime';
import { BENCH_NETWORK } from './bench-network';
import { AddressFamily, FdEvent, SockType } from '../socket/constants';
import { WSAError } from '../socket/errors';
import { fdEventName } from '../socket/events';
import type { CloseResult, SockAddr } from '../socket/types';
import { networkJs } from '../espruino/networkjs';
import { StatusBook } from './status';
import { serveStatus } from './status-http';

const ECHO_PORT = 7;
const STATUS_PORT = 80;

/**
 * The default application: brings the board's NIC up and runs a TCP echo service (RFC 862) on port 7
 * through the socket layer with WSAAsyncSelect, logging every FD_* event, and closing gracefully
 * on FD_CLOSE once everything received has been echoed. What the layer cannot take at once waits,
 * and reading stops, until FD_WRITE: no byte is dropped. A status page on port 80, served by Espruino's own
 * `http` module over the NetworkJS adapter, shows the connections, their state and bytes, and the last
 * teardowns with how each ended.
 */
export const main: App = function (hal) {
  const net = startNetwork(hal, BENCH_NETWORK);
  const api = net.api;
  if (!api) {
    hal.log(net.reason);
    return net.stop;
  }
  hal.log(net.nicName + ' up on ' + hal.board + ': ' + BENCH_NETWORK.ip);
  const buf = new Uint8Array(512);
  const from: SockAddr = { addr: '', port: 0 };
  // bytes received but not yet taken by send, per socket handle; reading waits while any are held
  const pending: (Uint8Array | undefined)[] = [];
  const closing: boolean[] = [];
  // accepted connections not yet handed to closesocket
  const open: number[] = [];
  const book = new StatusBook();
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
    book.bytes(s, 0, sent);
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
      book.bytes(s, n, took);
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
      book.closed(s, r);
    });
  };
  const onEvent = function (s: number, ev: number, err: number): void {
    hal.log(fdEventName(ev) + ' s' + s + (err ? ' error ' + err : ''));
    if (ev === FdEvent.FD_ACCEPT) {
      const c = api.accept(s, from);
      if (c < 0) return;
      hal.log('s' + c + ': accepted ' + from.addr + ':' + from.port);
      open.push(c);
      book.opened(c, 'echo', from.addr + ':' + from.port);
      api.WSAAsyncSelect(c, onEvent, FdEvent.FD_READ | FdEvent.FD_WRITE | FdEvent.FD_CLOSE);
    } else if (ev === FdEvent.FD_READ) {
      echo(s);
    } else if (ev === FdEvent.FD_WRITE) {
      echo(s);
      if (closing[s] && !pending[s]) finish(s);
    } else if (ev === FdEvent.FD_CLOSE) {
      book.state(s, err ? 'reset (error ' + err + ')' : 'peer FIN');
      if (!err) echo(s);
      if (!err && pending[s]) closing[s] = true; // close once FD_WRITE has taken the rest
      else finish(s);
    }
  };
  const ls = api.socket(AddressFamily.AF_INET, SockType.SOCK_STREAM, 0);
  if (ls < 0 || api.bind(ls, '0.0.0.0', ECHO_PORT) < 0 || api.listen(ls, 2) < 0 ||
    api.WSAAsyncSelect(ls, onEvent, FdEvent.FD_ACCEPT) < 0) {
    hal.log('echo service failed: error ' + api.WSAGetLastError());
    return net.stop;
  }
  hal.log('echo service on port ' + ECHO_PORT);
  const page = function (): string {
    return net.nicName + ' on ' + hal.board + ': ' + BENCH_NETWORK.ip + ', up ' + Math.round(hal.clock.now() / 1000) + ' s';
  };
  const driver = networkJs(api, null, { closed: function (s: number, r: CloseResult) { book.closed(s, r); } });
  serveStatus(driver, api, STATUS_PORT, book, function () { return book.text(page(), api.openSockets(), api.backgroundCloses()); });
  hal.log('status page on port ' + STATUS_PORT);
  // stopping (E.on('kill'): reset(), load(), save()) closes every connection gracefully, the echo service's
  // and the adapter's (before Espruino's own kill reaches the adapter), and waits for their ends within the
  // board's kill bound; what is left then is ended abortively
  return function () {
    hal.log('stopping: closing ' + open.length + ' connection(s)');
    while (open.length > 0) api.closesocket(open.pop() as number);
    api.closesocket(ls);
    driver.closeAll();
    api.finishCloses(hal.killBoundMs !== undefined ? hal.killBoundMs : 2000);
    net.stop();
  };
};
