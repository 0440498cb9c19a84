import { AddressFamily, FdEvent, SockType } from '../socket/constants';
import { WSAError } from '../socket/errors';
import type { SocketLayer } from '../socket/layer';
import type { CloseResult, SockAddr } from '../socket/types';
import type { StatusBook } from './status';

/**
 * The status page over HTTP/1.0, written on the socket layer (WSAAsyncSelect): one GET per connection, the
 * page as text/plain, then a graceful close (the client reads to the FIN). Returns the listening handle, or -1.
 * `open` collects the handles of the connections it serves, for the application's stop.
 */
export function serveStatus(api: SocketLayer, port: number, book: StatusBook, page: () => string, open: number[]): number {
  const buf = new Uint8Array(256);
  const from: SockAddr = { addr: '', port: 0 };
  // per handle: the request so far (until the blank line), then the answer still to send
  const req: string[] = [];
  const out: (Uint8Array | undefined)[] = [];
  const close = function (s: number): void {
    const i = open.indexOf(s);
    if (i >= 0) open.splice(i, 1);
    out[s] = undefined;
    req[s] = '';
    api.closesocket(s, function (r: CloseResult) { book.closed(s, r); });
  };
  const flush = function (s: number): void {
    const o = out[s];
    if (!o) return;
    const n = api.send(s, o, o.length, 0);
    if (n < 0) {
      if (api.WSAGetLastError() !== WSAError.WSAEWOULDBLOCK) close(s);
      return;
    }
    book.bytes(s, 0, n);
    out[s] = n < o.length ? o.subarray(n) : undefined;
    if (!out[s]) close(s);
  };
  const answer = function (s: number, status: string, body: string): void {
    const text = 'HTTP/1.0 ' + status + '\r\nContent-Type: text/plain\r\nContent-Length: ' + body.length +
      '\r\nConnection: close\r\n\r\n' + body;
    const b = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) b[i] = text.charCodeAt(i) & 255;
    out[s] = b;
    book.state(s, 'answering');
    flush(s);
  };
  const onEvent = function (s: number, ev: number, err: number): void {
    if (ev === FdEvent.FD_ACCEPT) {
      const c = api.accept(s, from);
      if (c < 0) return;
      open.push(c);
      req[c] = '';
      book.opened(c, 'http', from.addr + ':' + from.port);
      api.WSAAsyncSelect(c, onEvent, FdEvent.FD_READ | FdEvent.FD_WRITE | FdEvent.FD_CLOSE);
    } else if (ev === FdEvent.FD_READ) {
      for (;;) {
        const n = api.recv(s, buf, buf.length, 0);
        if (n <= 0) return;
        book.bytes(s, n, 0);
        if (out[s] || req[s] === undefined) continue;
        for (let i = 0; i < n; i++) req[s] += String.fromCharCode(buf[i]);
        const r = req[s];
        if (r.indexOf('\r\n\r\n') < 0 && r.indexOf('\n\n') < 0) {
          if (r.length > 2048) answer(s, '431 Request Header Fields Too Large', 'request too large\n');
          continue;
        }
        if (r.indexOf('GET / ') === 0) answer(s, '200 OK', page());
        else answer(s, '404 Not Found', 'only GET / is served here\n');
      }
    } else if (ev === FdEvent.FD_WRITE) {
      flush(s);
    } else if (ev === FdEvent.FD_CLOSE) {
      book.state(s, err ? 'reset (error ' + err + ')' : 'peer FIN');
      if (!out[s]) close(s);
    }
  };
  const ls = api.socket(AddressFamily.AF_INET, SockType.SOCK_STREAM, 0);
  if (ls < 0 || api.bind(ls, '0.0.0.0', port) < 0 || api.listen(ls, 2) < 0 || api.WSAAsyncSelect(ls, onEvent, FdEvent.FD_ACCEPT) < 0) return -1;
  return ls;
}
