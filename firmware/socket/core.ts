/**
 * The socket layer's state, shared by the files that each hold one of its rules: the API
 * (layer.ts), blocking calls (blocking.ts), FD_* notifications (notify.ts), SOCK_DGRAM
 * (datagram.ts), SOCK_SEQPACKET (seqpacket.ts), shutdown, closesocket, linger and background
 * closes (closing.ts), socket options (options.ts), and the event loop's turn (event-loop.ts).
 */
import type { Clock } from '../../hal/clock';
import { ServiceLoop } from '../../hal/service-loop';
import type { LoopTimers } from './timers';
import { TErr } from '../transport/transport';
import type { PeerAddress, Transport } from '../transport/transport';
import { WSAError } from './errors';
import { SockType } from './constants';
import { isCount } from './address';
import type { Sock } from './sock';
import type { CloseDone, CloseResult } from './types';

export const SOCKET_ERROR = -1;

export function transportError(r: number): number {
  switch (r) {
    case TErr.NoBuffers: return WSAError.WSAENOBUFS;
    case TErr.AddrInUse: return WSAError.WSAEADDRINUSE;
    case TErr.NetDown: return WSAError.WSAENETDOWN;
    case TErr.MsgSize: return WSAError.WSAEMSGSIZE;
    case TErr.Unreachable: return WSAError.WSAEHOSTUNREACH;
  }
  return WSAError.WSAEINVAL;
}

export function isStreamType(type: number): boolean {
  return type === SockType.SOCK_STREAM || type === SockType.SOCK_SEQPACKET;
}

export function isObject(x: unknown): boolean {
  return typeof x === 'object' && x !== null;
}

export function isFlag(v: unknown): boolean {
  return typeof v === 'boolean' || (typeof v === 'number' && v === v);
}

/** The layer's state; it is the event loop's one timer too (a ServiceLoop whose service is one turn, event-loop.ts). */
export class LayerCore extends ServiceLoop {
  transport: Transport;
  maxSockets = 32;
  closeTimeout = 4000;
  pollInterval = 1;
  maxMessage = 4096;
  keepAliveSeconds = 60;
  log: ((line: string) => void) | null = null;

  /** by handle (1 … maxSockets) */
  socks: (Sock | undefined)[] = [];
  /** by transport endpoint: open sockets and background closes */
  byEp: (Sock | undefined)[] = [];
  /** background closes, oldest first (the reclaim order) */
  closingList: Sock[] = [];
  nextHandle = 1;
  lastError = 0;
  /** pending WSAAsyncSelect notifications, in order: socket, event, error */
  qSock: Sock[] = [];
  qEvent: number[] = [];
  qError: number[] = [];
  /**
   * Sockets whose conditions may have changed since the last turn (a transport event on their
   * endpoint, an API call on them, a new endpoint), in endpoint order: the turn settles these only,
   * never all of them.
   */
  dirtyList: Sock[] = [];
  /** WSAEventSelect sockets with a signal owed, in the order they became due */
  signalList: Sock[] = [];
  doneQueue: CloseDone[] = [];
  doneResults: CloseResult[] = [];
  /** the services' timers (DHCP, DNS), made when one first asks (timers.ts): deadlines of the same loop */
  timers?: LoopTimers;
  peer: PeerAddress = { ip: 0, port: 0 };
  link = true;
  /** a link change waits for the next turn to reach `onLink` */
  linkDue = false;
  onLink: ((up: boolean) => void) | null = null;
  /** event-loop.ts's settle (every dirty socket, no handlers), for blocking calls: set by the layer, as event-loop.ts imports what blocks */
  settle!: (c: LayerCore) => void;

  /** `service` is one turn of the event loop (event-loop.ts): it returns the next deadline */
  constructor(transport: Transport, clock: Clock, service: (c: LayerCore) => number) {
    super(clock, service as (self: ServiceLoop) => number);
    this.transport = transport;
  }
}

export function fail(c: LayerCore, code: number): number {
  c.lastError = code;
  return SOCKET_ERROR;
}

/** the socket of an API call's handle; an API call may change its conditions, so the next turn settles it */
export function get(c: LayerCore, h: unknown): Sock | undefined {
  if (typeof h !== 'number' || Math.floor(h) !== h || h < 1 || h >= c.socks.length) return undefined;
  const s = c.socks[h];
  if (s) touch(c, s);
  return s;
}

/**
 * The next turn settles `s` (it does not ask for the turn: kick does). The list is kept in endpoint
 * order, the order a turn settles in, whatever order the events came in.
 */
export function touch(c: LayerCore, s: Sock | undefined): void {
  if (!s || s.dirty) return;
  s.dirty = true;
  const list = c.dirtyList;
  let i = list.length;
  while (i > 0 && list[i - 1].ep > s.ep) i--;
  list.splice(i, 0, s);
}

export function freeHandle(c: LayerCore): number {
  const max = c.maxSockets;
  for (let k = 0; k < max; k++) {
    const h = ((c.nextHandle - 1 + k) % max) + 1;
    if (!c.socks[h]) {
      while (c.socks.length <= h) c.socks.push(undefined);
      return h;
    }
  }
  return -1;
}

/** length to use, or -1 after setting the error: buffer not a Uint8Array or too short → WSAEFAULT; bad length → WSAEINVAL; flags → WSAEOPNOTSUPP */
export function checkBuffer(c: LayerCore, buf: unknown, len: unknown, flags: unknown): number {
  if (!(buf instanceof Uint8Array)) { fail(c, WSAError.WSAEFAULT); return -1; }
  let n = buf.length;
  if (len !== undefined) {
    if (!isCount(len)) { fail(c, WSAError.WSAEINVAL); return -1; }
    if ((len as number) > buf.length) { fail(c, WSAError.WSAEFAULT); return -1; }
    n = len as number;
  }
  if (flags !== undefined && flags !== 0) { fail(c, WSAError.WSAEOPNOTSUPP); return -1; }
  return n;
}

export function portTaken(c: LayerCore, s: Sock, port: number): boolean {
  for (let i = 1; i < c.socks.length; i++) {
    const o = c.socks[i];
    if (o && o !== s && o.bindPort === port && (o.type === SockType.SOCK_DGRAM) === (s.type === SockType.SOCK_DGRAM)) return true;
  }
  return false;
}

/** a turn of the event loop is owed: on the next turn (the one timer, set for now) */
export function kick(c: LayerCore): void {
  c.at(c.clock.now());
}

export function report(c: LayerCore, what: string, e: unknown): void {
  if (c.log) c.log(what + ' threw: ' + String(e));
}

/** bytes (stream) or whole messages and undelivered bytes (seqpacket) the application has not read */
export function unread(c: LayerCore, s: Sock): number {
  let n = s.ep >= 0 ? c.transport.readable(s.ep) : 0;
  if (n < 0) n = 0;
  if (s.reader && (s.reader.ready() || s.reader.partial())) n++;
  return n;
}
