/** Shared set-up for the socket layer tests: a virtual clock, the loopback test double, a layer. */
import { VirtualClock } from '../../sim/net/virtual-clock';
import { SocketLayer } from '../../firmware/socket/layer';
import { fdEventName } from '../../firmware/socket/events';
import { AddressFamily, SockType } from '../../firmware/socket/constants';
import type { SocketLayerOptions } from '../../firmware/socket/types';
import { LoopbackTransport } from './loopback-transport';
import type { LoopbackOptions } from './loopback-transport';

export const LOCAL = '10.0.0.1';

export interface Rig {
  clock: VirtualClock;
  t: LoopbackTransport;
  ws: SocketLayer;
  /** every notification as "<tag> FD_X <error>", in delivery order */
  log: string[];
  /** depth of API calls in progress; handlers assert it is 0 */
  inCall: { depth: number; violations: number };
  /** the layer, with every method wrapped to count call depth */
  api: SocketLayer;
}

const made: Rig[] = [];

/** for afterEach: no handler of any rig made since the last check ran inside an API call */
export function checkRigs(): void {
  const bad = made.filter((r) => r.inCall.violations !== 0).length;
  made.length = 0;
  if (bad !== 0) throw new Error(bad + ' rig(s) saw a handler called from inside an API call');
}

export function rig(topts: LoopbackOptions = {}, lopts: SocketLayerOptions = {}): Rig {
  const clock = new VirtualClock();
  const t = new LoopbackTransport(clock, topts);
  const ws = new SocketLayer(t, clock, lopts);
  const inCall = { depth: 0, violations: 0 };
  const api = new Proxy(ws, {
    get(target, prop) {
      const v = (target as unknown as Record<string | symbol, unknown>)[prop];
      if (typeof v !== 'function') return v;
      return (...args: unknown[]) => {
        inCall.depth++;
        try { return (v as (...a: unknown[]) => unknown).apply(target, args); } finally { inCall.depth--; }
      };
    },
  });
  const r: Rig = { clock, t, ws, log: [], inCall, api };
  made.push(r);
  return r;
}

/** a WSAAsyncSelect handler that logs "<tag> FD_X <error>" and checks it is not inside an API call */
export function logger(r: Rig, tag: string, also?: (s: number, ev: number, err: number) => void) {
  return (s: number, ev: number, err: number) => {
    if (r.inCall.depth !== 0) r.inCall.violations++;
    r.log.push(tag + ' ' + fdEventName(ev) + ' ' + err);
    if (also) also(s, ev, err);
  };
}

/** a connected pair over the loopback: [listener, server side, client side] — all blocking */
export function pair(r: Rig, type: number = SockType.SOCK_STREAM, port = 5000): [number, number, number] {
  const ws = r.api;
  const l = ws.socket(AddressFamily.AF_INET, type, 0);
  if (ws.bind(l, LOCAL, port) !== 0 || ws.listen(l, 2) !== 0) throw new Error('listen ' + ws.WSAGetLastError());
  const c = ws.socket(AddressFamily.AF_INET, type, 0);
  if (ws.connect(c, LOCAL, port) !== 0) throw new Error('connect ' + ws.WSAGetLastError());
  const s = ws.accept(l, undefined);
  if (s < 0) throw new Error('accept ' + ws.WSAGetLastError());
  r.clock.advance(5);
  return [l, s, c];
}

export function bytes(...b: number[]): Uint8Array {
  return new Uint8Array(b);
}
