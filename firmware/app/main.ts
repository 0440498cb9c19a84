import type { App } from './app';
import { startNetwork } from '../runtime';
import { BENCH_NETWORK } from './bench-network';
import type { CloseResult } from '../socket/types';
import { networkJs } from '../espruino/networkjs';
import { StatusBook } from './status';
import { serveStatus } from './status-http';
import { startEcho } from './echo';

const STATUS_PORT = 80;

/**
 * The default application: brings the board's NIC up and runs the TCP echo service on port 7 (echo.ts) and a
 * status page on port 80, served by Espruino's own `http` module over the NetworkJS adapter, which shows the
 * connections, their state and bytes, and the last teardowns with how each ended.
 */
export const main: App = function (hal) {
  const net = startNetwork(hal, BENCH_NETWORK);
  const api = net.api;
  if (!api) {
    hal.log(net.reason);
    return net.stop;
  }
  hal.log(net.nicName + ' up on ' + hal.board + ': ' + BENCH_NETWORK.ip);
  const book = new StatusBook();
  const stopEcho = startEcho(hal, api, book);
  if (!stopEcho) return net.stop;
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
    stopEcho();
    driver.closeAll();
    api.finishCloses(hal.killBoundMs !== undefined ? hal.killBoundMs : 2000);
    net.stop();
  };
};
