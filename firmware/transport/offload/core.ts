/**
 * The offload transport's state, shared by the files that each hold one of its jobs: per endpoint
 * (this file), per hardware socket (pool.ts), stream sending (stream-tx.ts), datagrams
 * (datagram.ts), the driver's events (service.ts), and the Transport members (offload.ts).
 *
 * Endpoints are not hardware sockets: an endpoint holds at most one hardware socket, a listening
 * endpoint holds several (one per armed listener and per connection waiting for accept), and a
 * released endpoint keeps its id and its hardware socket until its close has ended.
 */
import type { Clock } from '../../../hal/clock';
import type { W5500Sockets } from '../../../hal/w5500/sockets';
import { W5500Err } from '../../../hal/w5500/errors';
import { Chip, Sn_MR } from '../../../hal/w5500/registers';
import { EndpointKind, TErr } from '../transport';
import type { TransportSink } from '../transport';
import { DeferredEvents } from '../deferred';
import { NOSINK } from '../shared';
import type { DeferredDeliver } from '../deferred';
import { EphemeralPorts } from '../../net/ephemeral';

/** What an endpoint is doing. */
export const enum St {
  Free = 0,
  Fresh = 1,
  Bound = 2,
  Listening = 3,
  Connecting = 4,
  Connected = 5,
  Ended = 6,
}

/** What a hardware socket is doing for its endpoint. */
export const enum Role {
  Free = 0,
  /** the endpoint's one socket: reserved, open, connected or closing */
  Own = 1,
  /** in LISTEN for a listening endpoint */
  Armed = 2,
  /** a listener that got its connection: waits for accept() */
  Ready = 3,
}

export const enum Fl {
  /** shutdownSend was called */
  SHUT = 1,
  /** DISCON issued */
  DISCON = 2,
  /** the peer's FIN was seen */
  FIN = 4,
  /** release() let it go: the close runs in the background */
  RELEASED = 8,
  /** a send took less than offered: `writable` is owed */
  WANT_WRITE = 16,
  NODELAY = 32,
  /** came from accept(): it shares the listener's port without having bound it */
  ACCEPTED = 128,
}

export class OffloadCore {
  drv: W5500Sockets;
  clock: Clock;
  ip: number;
  max: number;
  sink: TransportSink = NOSINK;
  /** the NIC failed: every member answers NetDown */
  down = false;
  /** a hardware socket came free since listeners were last re-armed */
  socketFreed = false;
  /** orders accepts (oldest first) */
  seq = 1;
  queue: DeferredEvents;
  ports: EphemeralPorts;
  maxDatagram: number;

  // per endpoint
  kind: Uint8Array;
  st: Uint8Array;
  fl: Uint16Array;
  sn: Int8Array;
  port: Uint16Array;
  backlog: Uint8Array;
  peerIp: Float64Array;
  peerPort: Uint16Array;
  /** unacknowledged bytes when the connection ended */
  unsentAt: Float64Array;
  /**
   * What the queries answer from, without bus traffic (the layer asks on every turn): readable stream
   * bytes as Sn_RX_RSR read at the last RECV (less what recv took since), and free TX space as
   * Sn_TX_FSR read at the last SEND_OK (less what send gave the chip since).
   */
  rxKnown: Int32Array;
  txKnown: Uint16Array;
  /** datagram endpoints: one datagram read ahead, so `readable` can give its length */
  dgBuf: (Uint8Array | undefined)[] = [];
  dgLen: Int32Array;
  dgFrom: Float64Array;
  dgFromPort: Uint16Array;

  // per hardware socket
  snEp: Int8Array = new Int8Array(Chip.SOCKETS);
  role: Uint8Array = new Uint8Array(Chip.SOCKETS);
  /** a connection waiting for accept() has had the peer's FIN */
  snFin: Uint8Array = new Uint8Array(Chip.SOCKETS);
  snSeq: Float64Array = new Float64Array(Chip.SOCKETS);

  ip4: Uint8Array = new Uint8Array(4);
  addr6: Uint8Array = new Uint8Array(6);

  constructor(drv: W5500Sockets, clock: Clock, ip: number, max: number, ephemeralBase: number, deliver: DeferredDeliver) {
    this.drv = drv;
    this.clock = clock;
    this.ip = ip >>> 0;
    this.max = max;
    const self = this;
    this.queue = new DeferredEvents(max, deliver, function () { self.sink.wake(clock.now()); });
    this.ports = new EphemeralPorts(ephemeralBase);
    const n = max;
    this.kind = new Uint8Array(n);
    this.st = new Uint8Array(n);
    this.fl = new Uint16Array(n);
    this.sn = new Int8Array(n);
    this.port = new Uint16Array(n);
    this.backlog = new Uint8Array(n);
    this.peerIp = new Float64Array(n);
    this.peerPort = new Uint16Array(n);
    this.unsentAt = new Float64Array(n);
    this.dgLen = new Int32Array(n);
    this.rxKnown = new Int32Array(n);
    this.txKnown = new Uint16Array(n);
    this.dgFrom = new Float64Array(n);
    this.dgFromPort = new Uint16Array(n);
    // filled in place rather than chained, so nothing depends on what fill() returns
    this.sn.fill(-1);
    this.dgLen.fill(-1);
    this.snEp.fill(-1);
    let maxDg = 1472; // UDP payload in one Ethernet frame (Sn_MSSR's UDP default)
    for (let s = 0; s < Chip.SOCKETS; s++) {
      const t = drv.txSize[s];
      if (t > 0 && t < maxDg) maxDg = t;
    }
    this.maxDatagram = maxDg;
  }

  live(ep: number): boolean {
    return typeof ep === 'number' && Math.floor(ep) === ep && ep >= 0 && ep < this.max && this.st[ep] !== St.Free;
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
    this.sn[ep] = -1;
    this.port[ep] = 0;
    this.peerIp[ep] = 0;
    this.peerPort[ep] = 0;
    this.unsentAt[ep] = 0;
    this.dgLen[ep] = -1;
    this.rxKnown[ep] = 0;
    this.txKnown[ep] = 0;
  }

  /** the record is free; what is queued for it is stale (the hardware socket is the pool's to free first) */
  retire(ep: number): void {
    this.sn[ep] = -1;
    this.st[ep] = St.Free;
    this.kind[ep] = 0;
    this.fl[ep] = 0;
    this.port[ep] = 0;
    this.dgLen[ep] = -1;
    this.queue.retire(ep);
  }

  /**
   * A driver failure as a transport error: a driver that went down (bus, chip gone or reset) is
   * NetDown. A command the chip refused while the driver still thinks it is up may mean the chip was
   * reset under us: one health read (SIMR…VERSIONR) tells, and takes the driver down if so.
   */
  mapErr(r: number): number {
    if (!this.drv.isUp()) return TErr.NetDown;
    if (r === W5500Err.MSGSIZE) return TErr.MsgSize;
    if (this.drv.checkChip() !== W5500Err.OK) return TErr.NetDown;
    return TErr.Invalid;
  }

  ndBit(ep: number): number {
    return (this.fl[ep] & Fl.NODELAY) ? Sn_MR.ND : 0;
  }

  /**
   * Is `port` bound by another endpoint? Accepted connections and background closes do not hold
   * the port they use, so a server can listen again at once (the chip keeps them apart by peer);
   * with `any`, every endpoint using it counts (for picking ephemeral ports).
   */
  portTaken(port: number, kind: number, self: number, any: boolean): boolean {
    for (let ep = 0; ep < this.max; ep++) {
      if (ep === self || this.st[ep] === St.Free || this.kind[ep] !== kind || this.port[ep] !== port) continue;
      if (any || !(this.fl[ep] & (Fl.ACCEPTED | Fl.RELEASED))) return true;
    }
    return false;
  }

  ephemeral(kind: number): number {
    const self = this;
    return this.ports.pick(function (p) { return self.portTaken(p, kind, -1, true); });
  }

  /** Sn_RX_RSR now (events and members only, never a query) */
  learnRx(ep: number): void {
    const s = this.sn[ep];
    const n = s >= 0 ? this.drv.rxAvailable(s) : 0;
    this.rxKnown[ep] = n > 0 ? n : 0;
  }

  isStream(ep: number): boolean {
    return this.kind[ep] === EndpointKind.Stream;
  }
}
