import type { App } from '../firmware/app/app';
import { startNetwork } from '../firmware/runtime';
import { BENCH_NETWORK } from '../firmware/app/bench-network';
import { AddressFamily, FdEvent, ShutdownHow, SockType } from '../firmware/socket/constants';
import { WSAError } from '../firmware/socket/errors';
import { fdEventName } from '../firmware/socket/events';

/**
 * The seed's six-step teardown (docs/socket-semantics.md §7) with the device as client, against a PC
 * peer that plays the server (tools/six-step-peer.ts). Prints each event as it happens, so the order
 * can be read off the console:
 *   1 shutdown(SD_SEND) after the request; 5' FD_READ, the response; 5 FD_CLOSE 0 after the last
 *   byte; 6 closesocket.
 *
 * The peer's address is "a.b.c.d:port" in the global SIX_STEP_PEER when one was set before upload
 * (e.g. `var SIX_STEP_PEER = "192.168.1.10:5555";`), else PEER below.
 */
declare const SIX_STEP_PEER: string | undefined;

const PEER = '192.168.1.10:5555';
const REQUEST_BYTES = 64;
const NAME = 'six-step';

function peerSetting(): string {
  return typeof SIX_STEP_PEER === 'string' ? SIX_STEP_PEER : PEER;
}

export const main: App = function (hal) {
  const log = function (line: string): void { hal.log(NAME + ': ' + line); };
  const setting = peerSetting();
  const colon = setting.indexOf(':');
  const peerIp = colon > 0 ? setting.substring(0, colon) : setting;
  const peerPort = colon > 0 ? parseInt(setting.substring(colon + 1), 10) : 5555;
  const net = startNetwork(hal, BENCH_NETWORK);
  const api = net.api;
  if (!api) {
    log(net.reason);
    return net.stop;
  }
  const transport = net.transport;
  const request = new Uint8Array(REQUEST_BYTES);
  for (let i = 0; i < REQUEST_BYTES; i++) request[i] = (i * 7 + 1) & 255;
  const buf = new Uint8Array(256);
  let received = 0;
  let sent = false;
  let sawRead = false;

  const s = api.socket(AddressFamily.AF_INET, SockType.SOCK_STREAM, 0);
  if (s < 0) {
    log('socket failed: ' + api.WSAGetLastError());
    return net.stop;
  }
  const handler = function (h: number, ev: number, err: number): void {
    if (ev === FdEvent.FD_READ && sawRead) {
      // later FD_READs are the same step; only the first is printed
    } else {
      log((ev === FdEvent.FD_READ ? "5' " : ev === FdEvent.FD_CLOSE ? '5 ' : '') + fdEventName(ev) + ' ' + err);
    }
    if (ev === FdEvent.FD_CONNECT && err !== 0) {
      log('closesocket ' + api.closesocket(h, undefined));
      return;
    }
    if (ev === FdEvent.FD_WRITE && !sent) {
      sent = true;
      log('send ' + api.send(h, request, REQUEST_BYTES, 0));
      log('1 shutdown(SD_SEND) ' + api.shutdown(h, ShutdownHow.SD_SEND));
    }
    if (ev === FdEvent.FD_READ) {
      sawRead = true;
      for (;;) {
        const n = api.recv(h, buf, buf.length, 0);
        if (n <= 0) break;
        received += n;
      }
    }
    if (ev === FdEvent.FD_CLOSE) {
      log('response ' + received + ' bytes, then recv ' + api.recv(h, buf, buf.length, 0));
      log('6 closesocket ' + api.closesocket(h, undefined));
      waitFree(0);
    }
  };
  // The close finishes in the background (TIME_WAIT on the W5500); report when the NIC holds nothing.
  let timer = 0;
  const waitFree = function (waited: number): void {
    timer = 0;
    const held = transport ? transport.held() : -1;
    if (held === 0 || waited >= 6000) {
      log('NIC resources held ' + held);
      log('done');
      return;
    }
    timer = hal.clock.setTimeout(function () { waitFree(waited + 20); }, 20);
  };
  api.WSAAsyncSelect(s, handler, FdEvent.FD_CONNECT | FdEvent.FD_READ | FdEvent.FD_WRITE | FdEvent.FD_CLOSE);
  log('connecting to ' + peerIp + ':' + peerPort);
  if (api.connect(s, peerIp, peerPort) !== -1 || api.WSAGetLastError() !== WSAError.WSAEWOULDBLOCK) {
    log('connect failed: ' + api.WSAGetLastError());
  }
  return function () {
    if (timer) hal.clock.clearTimeout(timer);
    timer = 0;
    net.stop();
  };
};
