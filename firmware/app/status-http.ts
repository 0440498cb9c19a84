import type { NetworkJsDriver } from '../espruino/networkjs';
import type { SocketLayer } from '../socket/layer';
import type { SockAddr } from '../socket/types';
import type { StatusBook } from './status';

interface Req { method: string; url: string }
interface Res { writeHead(code: number, headers: object): void; end(body: string): void }
declare function require(name: string): {
  create(obj: object): object;
  createServer(fn: (req: Req, res: Res) => void): { listen(port: number): void };
};

/**
 * The status page through Espruino's own `http` module over the NetworkJS adapter: `GET /` gets the page as
 * text/plain, anything else 404; Espruino's server closes each connection once its answer is out. The adapter
 * (made with `closed` reporting to `book.closed`) is installed with `require("NetworkJS").create` behind a
 * layer that enters every connection Espruino accepts in the book (its peer, the bytes each way, the peer's
 * FIN, or Espruino's error code), so the page lists its own connections as it lists the echo service's.
 */
export function serveStatus(driver: NetworkJsDriver, api: SocketLayer, port: number, book: StatusBook, page: () => string): void {
  const from: SockAddr = { addr: '', port: 0 };
  require('NetworkJS').create({
    'create': driver.create,
    'close': driver.close,
    'accept': function (s: number): number {
      const c = driver.accept(s);
      if (c >= 0 && api.getpeername(c, from) === 0) book.opened(c, 'http', from.addr + ':' + from.port);
      return c;
    },
    'recv': function (s: number, maxLen: number, type: number): string | number {
      const r = driver.recv(s, maxLen, type);
      if (typeof r === 'string') book.bytes(s, r.length, 0);
      else if (r === -1) book.state(s, 'peer FIN');
      else if (r < -1) book.state(s, 'error ' + r);
      return r;
    },
    'send': function (s: number, data: string, type: number): number {
      const n = driver.send(s, data, type);
      if (n > 0) book.bytes(s, 0, n);
      return n;
    },
  });
  require('http').createServer(function (req: Req, res: Res) {
    const ok = req.method === 'GET' && req.url === '/';
    const body = ok ? page() : 'only GET / is served here\n';
    res.writeHead(ok ? 200 : 404, { 'Content-Type': 'text/plain', 'Content-Length': body.length });
    res.end(body);
  }).listen(port);
}
