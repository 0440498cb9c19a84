import type { App } from './app';
import { startNetwork } from '../runtime';
import { BENCH_NETWORK } from './bench-network';
import { AddressFamily, FdEvent, OptLevel, SockOpt, SockType, TcpOpt } from '../socket/constants';
import type { WSANETWORKEVENTS } from '../socket/types';

/**
 * Calls what a build may leave out (firmware/features.ts) and logs each result with WSAGetLastError(), one line per
 * call: the test of the build profiles (test/board/profile.test.ts) builds it with features off and on. Socket types
 * are given by number (2 = datagram, 5 = message): naming them would build them.
 */
export const main: App = function (hal) {
  const net = startNetwork(hal, BENCH_NETWORK);
  const api = net.api;
  if (!api) {
    hal.log(net.reason);
    return net.stop;
  }
  const line = function (what: string, r: number): void { hal.log(what + ' ' + r + ' ' + api.WSAGetLastError()); };
  line('dgram', api.socket(AddressFamily.AF_INET, 2, 0));
  line('seqpacket', api.socket(AddressFamily.AF_INET, 5, 0));
  const s = api.socket(AddressFamily.AF_INET, SockType.SOCK_STREAM, 0);
  line('stream', s);
  line('keepalive', api.setsockopt(s, OptLevel.SOL_SOCKET, SockOpt.SO_KEEPALIVE, 1));
  line('nodelay', api.setsockopt(s, OptLevel.IPPROTO_TCP, TcpOpt.TCP_NODELAY, 1));
  line('linger', api.setsockopt(s, OptLevel.SOL_SOCKET, SockOpt.SO_LINGER, { onoff: 1, linger: 0 }));
  line('eventselect', api.WSAEventSelect(s, FdEvent.FD_READ));
  const out: WSANETWORKEVENTS = { lNetworkEvents: -1, iErrorCode: [] };
  line('enumevents', api.WSAEnumNetworkEvents(s, out));
  line('asyncselect', api.WSAAsyncSelect(s, function () { /* nothing expected */ }, FdEvent.FD_READ));
  line('closesocket', api.closesocket(s));
  return net.stop;
};
