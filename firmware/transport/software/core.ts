/**
 * The software transport's state, shared by the files that each hold one of its jobs: endpoint
 * records (this file), frames out to the driver (tx-queue.ts), TCP's events (tcp-events.ts),
 * datagrams (datagram.ts), the driver's events and the timer (service.ts), and the Transport
 * members (software.ts).
 *
 * An endpoint is a stream (a TCP connection or listener of firmware/net/tcp) or a datagram endpoint
 * (a UDP port of firmware/net/udp.ts). Its id is kept until its connection has ended, so a released
 * connection closing in the background keeps its id and its connection record (its memory); TIME_WAIT
 * is a small record of the TCP stack and holds no endpoint.
 */
import type { Clock } from '../../../hal/clock';
import type { FrameDriver } from '../../../hal/frame-driver';
import type { NetIf } from '../../net/iface';
import type { Tcp } from '../../net/tcp/tcp';
import type { TcpConn } from '../../net/tcp/conn';
import type { TcpListener } from '../../net/tcp/listener';
import { EndpointKind } from '../transport';
import type { TransportSink } from '../transport';
import { DeferredEvents } from '../deferred';
import { NOSINK } from '../shared';
import type { DeferredDeliver } from '../deferred';
import type { EphemeralPorts } from '../../net/ephemeral';
import type { DatagramQueue } from './datagram';

/** What an endpoint is doing. */
export const enum St {
  Free = 0,
  Fresh = 1,
  Bound = 2,
  Listening = 3,
  Connecting = 4,
  Connected = 5,
  /** the connection is over (bytes received before a graceful end stay readable) */
  Ended = 6,
}

export const enum Fl {
  /** release() let it go: the close runs in the background, the endpoint frees itself at its end */
  RELEASED = 1,
  /** peerFin was told */
  FIN = 2,
  NODELAY = 4,
  /** came from accept(): shares the listener's port without having bound it */
  ACCEPTED = 8,
}

export class SoftCore {
  drv: FrameDriver;
  clock: Clock;
  nif: NetIf;
  tcp: Tcp;
  max: number;
  sink: TransportSink = NOSINK;
  /** the NIC failed: every member answers NetDown */
  down = false;
  queue: DeferredEvents;
  ports: EphemeralPorts;

  // per endpoint
  kind: Uint8Array;
  st: Uint8Array;
  fl: Uint8Array;
  port: Uint16Array;
  /** keep-alive period, s (applied to the connection when it exists) */
  keepAlive: Uint16Array;
  /** unacknowledged bytes when the connection ended */
  unsentAt: Float64Array;
  /**
   * an endpoint's connection, listener and datagram queue: sparse (absent until set, deleted when the endpoint is
   * retired), so free endpoint ids cost no variables — tested by truthiness, never against null
   */
  conn: (TcpConn | null | undefined)[] = [];
  listener: (TcpListener | null | undefined)[] = [];
  /** datagram endpoints: the UDP layer's handle, -1 while unbound, and what they received */
  udp: Int8Array;
  dgq: (DatagramQueue | null | undefined)[] = [];

  constructor(drv: FrameDriver, clock: Clock, nif: NetIf, tcpOf: (c: SoftCore) => Tcp, max: number, ports: EphemeralPorts, deliver: DeferredDeliver) {
    this.drv = drv;
    this.clock = clock;
    this.nif = nif;
    this.tcp = tcpOf(this);
    this.max = max;
    const self = this;
    this.queue = new DeferredEvents(max, deliver, function () { self.sink.wake(clock.now()); });
    this.ports = ports;
    this.kind = new Uint8Array(max);
    this.st = new Uint8Array(max);
    this.fl = new Uint8Array(max);
    this.port = new Uint16Array(max);
    this.keepAlive = new Uint16Array(max);
    this.unsentAt = new Float64Array(max);
    this.udp = new Int8Array(max);
    this.udp.fill(-1);
  }

  live(ep: number): boolean {
    return typeof ep === 'number' && Math.floor(ep) === ep && ep >= 0 && ep < this.max && this.st[ep] !== St.Free;
  }

  isStream(ep: number): boolean {
    return this.kind[ep] === EndpointKind.Stream;
  }

  freeSlot(): number {
    for (let ep = 0; ep < this.max; ep++) if (this.st[ep] === St.Free) return ep;
    return -1;
  }

  /** a fresh record for a new endpoint of `kind` */
  init(ep: number, kind: number, st: St): void {
    this.kind[ep] = kind;
    this.st[ep] = st;
    this.fl[ep] = 0;
    this.port[ep] = 0;
    this.keepAlive[ep] = 0;
    this.unsentAt[ep] = 0;
    this.udp[ep] = -1;
    delete this.conn[ep];
    delete this.listener[ep];
    delete this.dgq[ep];
  }

  /** the record is free; what is queued for it is stale (its connection, listener or port was let go first) */
  retire(ep: number): void {
    const c = this.conn[ep];
    if (c) c.user = -1;
    const l = this.listener[ep];
    if (l) l.user = -1;
    this.init(ep, 0, St.Free);
    this.queue.retire(ep);
  }

  /**
   * Is `port` in use by another endpoint of `kind`? Accepted connections and background closes do
   * not hold the port they use (a server can listen again at once); with `any`, every endpoint
   * using it counts, and so do the TCP stack's connections and TIME_WAIT records (for ephemeral ports).
   */
  portTaken(port: number, kind: number, self: number, any: boolean): boolean {
    for (let ep = 0; ep < this.max; ep++) {
      if (ep === self || this.st[ep] === St.Free || this.kind[ep] !== kind || this.port[ep] !== port) continue;
      if (any || !(this.fl[ep] & (Fl.ACCEPTED | Fl.RELEASED))) return true;
    }
    if (!any || kind !== EndpointKind.Stream) return false;
    const tcp = this.tcp;
    for (let i = 0; i < tcp.conns.length; i++) if (tcp.conns[i].localPort === port) return true;
    for (let i = 0; i < tcp.timeWaits.length; i++) if (tcp.timeWaits[i].localPort === port) return true;
    return false;
  }

  ephemeral(kind: number): number {
    const self = this;
    return this.ports.pick(function (p) { return self.portTaken(p, kind, -1, true); });
  }

  /** TCP connections not owned by an endpoint: handshaking or waiting for accept() */
  unowned(): number {
    let n = 0;
    const cs = this.tcp.conns;
    for (let i = 0; i < cs.length; i++) if (cs[i].user < 0) n++;
    return n;
  }
}
