/**
 * The offload transport: the Transport interface (firmware/transport/transport.ts) on the W5500's
 * own TCP/UDP engine through hal/w5500. Endpoints are not hardware sockets: an endpoint holds at
 * most one hardware socket, a listening endpoint holds several (one per armed listener and per
 * connection waiting for accept), and an endpoint whose socket was reclaimed keeps its id until its
 * `ended` report has gone out, so an id is never reused while the layer may still hear of it.
 *
 * Teardown on the chip (docs/w5500.md §7): shutdownSend = DISCON once the last SEND has completed
 * (SEND_OK); abort = CLOSE (silent); a released connection closes in the background and gives its
 * hardware socket back on CLOSED, TIMEOUT or RESET, or at `closeTimeoutMs` by CLOSE.
 */
import type { Clock } from '../../../hal/clock';
import type { W5500 } from '../../../hal/w5500/driver';
import { W5500Err } from '../../../hal/w5500/errors';
import { SnEvent } from '../../../hal/w5500/events';
import type { W5500Handler } from '../../../hal/w5500/events';
import { Chip, Sn_MR } from '../../../hal/w5500/registers';
import { EndpointKind, TCause, TErr, TOption } from '../transport';
import type { PeerAddress, Transport, TransportCaps, TransportSink } from '../transport';
import { bytesToIp, ipToBytes } from './ip';

export interface OffloadOptions {
  /** a driver that has been brought up (`begin()` returned OK) */
  driver: W5500;
  clock: Clock;
  /** our IPv4 address, host order (as written into SIPR) */
  ip: number;
  /**
   * bound of a background close after `release()`, ms; then CLOSE (default 4000). 0 = no bound of
   * its own, for an owner that bounds every close itself (the socket layer: closeTimeout, linger)
   */
  closeTimeoutMs?: number;
  /** endpoint ids handed out at most (default 16: 8 hardware sockets, and room for ids awaiting their `ended`) */
  maxEndpoints?: number;
  /** first ephemeral port (default 49152) */
  ephemeralBase?: number;
  /**
   * bytes a connection may queue in RAM while a SEND awaits SEND_OK (the chip takes one SEND at a
   * time); they go to the chip with the next SEND. Default 512; 0 = none (send returns 0 meanwhile)
   */
  stageBytes?: number;
}

/** What a hardware socket is doing for its endpoint. */
const enum Role {
  Free = 0,
  /** the endpoint's one socket: reserved, open, connected or closing */
  Own = 1,
  /** in LISTEN for a listening endpoint */
  Armed = 2,
  /** a listener that got its connection: waits for accept() */
  Ready = 3,
}

const enum St {
  Free = 0,
  Fresh = 1,
  Bound = 2,
  Listening = 3,
  Connecting = 4,
  Connected = 5,
  Ended = 6,
}

const enum Fl {
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
  /** the hardware socket was taken away; the id waits for its queued `ended` */
  ZOMBIE = 64,
  /** came from accept(): it shares the listener's port without having bound it */
  ACCEPTED = 128,
}

/** Sink calls that arise inside a member (where the sink must not be called), delivered on the next turn or pump. */
const enum Q {
  READABLE = 1,
  FIN = 2,
  ENDED = 3,
  ACCEPTABLE = 4,
}

const enum Def {
  CLOSE_TIMEOUT_MS = 4000,
  MAX_ENDPOINTS = 16,
  EPHEMERAL_BASE = 49152,
  /** UDP payload in one Ethernet frame (Sn_MSSR's UDP default) */
  MAX_DATAGRAM = 1472,
  STAGE_BYTES = 512,
}

const NOSINK: TransportSink = {
  connectDone: function () { /* none */ },
  acceptable: function () { /* none */ },
  readable: function () { /* none */ },
  writable: function () { /* none */ },
  peerFin: function () { /* none */ },
  ended: function () { /* none */ },
};

export class OffloadTransport implements Transport {
  readonly caps: TransportCaps;

  private drv: W5500;
  private clock: Clock;
  private ip: number;
  private closeMs: number;
  private max: number;
  private ephBase: number;
  private nextEph = 0;
  private sink: TransportSink = NOSINK;
  private down = false;
  private seq = 1;

  // per endpoint
  private kind: Uint8Array;
  private st: Uint8Array;
  private fl: Uint16Array;
  private gen: Uint16Array;
  private sn: Int8Array;
  private port: Uint16Array;
  private backlog: Uint8Array;
  private peerIp: Float64Array;
  private peerPort: Uint16Array;
  private unsentAt: Float64Array;
  private relSeq: Float64Array;
  private closeTimer: Float64Array;
  /** datagram endpoints: one datagram read ahead, so `readable` can give its length */
  private dgBuf: (Uint8Array | undefined)[] = [];
  private dgLen: Int32Array;
  /**
   * What the queries answer from, without bus traffic (the layer asks on every turn): readable stream
   * bytes as Sn_RX_RSR read at the last RECV (less what recv took since), and free TX space as
   * Sn_TX_FSR read at the last SEND_OK (less what send gave the chip since).
   */
  private rxKnown: Int32Array;
  private txKnown: Uint16Array;
  /** bytes taken by send() while a SEND was in flight, not yet handed to the chip */
  private stage: (Uint8Array | undefined)[] = [];
  private staged: Uint16Array;
  private stageMax: number;
  private dgFrom: Float64Array;
  private dgFromPort: Uint16Array;

  // per hardware socket
  private snEp: Int8Array = new Int8Array(Chip.SOCKETS);
  private role: Uint8Array = new Uint8Array(Chip.SOCKETS);
  private snFin: Uint8Array = new Uint8Array(Chip.SOCKETS);
  private snSeq: Float64Array = new Float64Array(Chip.SOCKETS);

  // deferred sink calls
  private qEp: number[] = [];
  private qGen: number[] = [];
  private qWhat: number[] = [];
  private qCause: number[] = [];
  private qUnsent: number[] = [];
  private flushTimer = 0;

  private ip4: Uint8Array = new Uint8Array(4);
  private addr6: Uint8Array = new Uint8Array(6);

  constructor(opts: OffloadOptions) {
    this.drv = opts.driver;
    this.clock = opts.clock;
    this.ip = opts.ip >>> 0;
    this.closeMs = opts.closeTimeoutMs !== undefined ? opts.closeTimeoutMs : Def.CLOSE_TIMEOUT_MS;
    this.max = opts.maxEndpoints !== undefined && opts.maxEndpoints >= Chip.SOCKETS ? opts.maxEndpoints : Def.MAX_ENDPOINTS;
    this.ephBase = opts.ephemeralBase !== undefined ? opts.ephemeralBase : Def.EPHEMERAL_BASE;
    this.stageMax = opts.stageBytes !== undefined && opts.stageBytes >= 0 ? opts.stageBytes : Def.STAGE_BYTES;
    const n = this.max;
    this.kind = new Uint8Array(n);
    this.st = new Uint8Array(n);
    this.fl = new Uint16Array(n);
    this.gen = new Uint16Array(n);
    this.sn = new Int8Array(n);
    this.port = new Uint16Array(n);
    this.backlog = new Uint8Array(n);
    this.peerIp = new Float64Array(n);
    this.peerPort = new Uint16Array(n);
    this.unsentAt = new Float64Array(n);
    this.relSeq = new Float64Array(n);
    this.closeTimer = new Float64Array(n);
    this.dgLen = new Int32Array(n);
    this.rxKnown = new Int32Array(n);
    this.txKnown = new Uint16Array(n);
    this.staged = new Uint16Array(n);
    this.dgFrom = new Float64Array(n);
    this.dgFromPort = new Uint16Array(n);
    // filled in place rather than chained, so nothing depends on what fill() returns
    this.sn.fill(-1);
    this.dgLen.fill(-1);
    this.snEp.fill(-1);
    let maxDg = Def.MAX_DATAGRAM as number;
    for (let s = 0; s < Chip.SOCKETS; s++) {
      const t = this.drv.txSize[s];
      if (t > 0 && t < maxDg) maxDg = t;
    }
    this.caps = { canSendReset: false, holdsAfterClose: true, maxDatagram: maxDg };
    const self = this;
    const h: W5500Handler = {
      socket: function (s, ev) { self.onSocket(s, ev); },
      link: function () { /* the chip's own timers decide what a cable pull costs a connection */ },
      failure: function () { self.onFailure(); },
    };
    this.drv.setHandler(h);
  }

  setSink(sink: TransportSink): void {
    this.sink = sink ? sink : NOSINK;
  }

  maxEndpoints(): number {
    return this.max;
  }

  available(): number {
    if (this.down) return 0;
    let slots = 0;
    for (let ep = 0; ep < this.max; ep++) if (this.st[ep] === St.Free && !(this.fl[ep] & Fl.ZOMBIE)) slots++;
    let hw = 0;
    for (let s = 0; s < Chip.SOCKETS; s++) if (this.role[s] === Role.Free) hw++;
    // every listener but one per listening endpoint can be given up
    for (let ep = 0; ep < this.max; ep++) {
      if (this.st[ep] !== St.Listening) continue;
      const a = this.armed(ep);
      if (a > 1) hw += a - 1;
    }
    return hw < slots ? hw : slots;
  }

  localIp(): number {
    return this.ip;
  }

  /** hardware sockets not held by any endpoint (for tests and the harness) */
  freeHardwareSockets(): number {
    let n = 0;
    for (let s = 0; s < Chip.SOCKETS; s++) if (this.role[s] === Role.Free) n++;
    return n;
  }

  // ---------------------------------------------------------------- endpoints

  open(kind: EndpointKind): number {
    if (this.down) return TErr.NetDown;
    if (kind !== EndpointKind.Stream && kind !== EndpointKind.Datagram) return TErr.Invalid;
    const ep = this.freeSlot();
    if (ep < 0) return TErr.NoBuffers;
    const s = this.takeHw();
    if (s < 0) return TErr.NoBuffers;
    this.kind[ep] = kind;
    this.st[ep] = St.Fresh;
    this.fl[ep] = 0;
    this.sn[ep] = s;
    this.port[ep] = 0;
    this.peerIp[ep] = 0;
    this.peerPort[ep] = 0;
    this.unsentAt[ep] = 0;
    this.dgLen[ep] = -1;
    this.rxKnown[ep] = 0;
    this.txKnown[ep] = 0;
    this.staged[ep] = 0;
    this.role[s] = Role.Own;
    this.snEp[s] = ep;
    return ep;
  }

  bind(ep: number, ip: number, port: number): number {
    if (!this.live(ep)) return TErr.Invalid;
    if (this.down) return TErr.NetDown;
    if (this.st[ep] !== St.Fresh) return TErr.Invalid;
    if (ip !== 0 && (ip >>> 0) !== this.ip) return TErr.Unreachable;
    if (typeof port !== 'number' || port < 0 || port > 0xffff || Math.floor(port) !== port) return TErr.Invalid;
    if (port === 0) port = this.ephemeral(this.kind[ep]);
    else if (this.portTaken(port, this.kind[ep], ep)) return TErr.AddrInUse;
    if (this.kind[ep] === EndpointKind.Datagram) {
      const r = this.drv.open(this.sn[ep], Sn_MR.UDP, port);
      if (r < 0) return this.mapErr(r);
    }
    this.port[ep] = port;
    this.st[ep] = St.Bound;
    return 0;
  }

  listen(ep: number, backlog: number): number {
    if (!this.live(ep) || this.kind[ep] !== EndpointKind.Stream) return TErr.Invalid;
    if (this.down) return TErr.NetDown;
    const st = this.st[ep];
    if (st !== St.Fresh && st !== St.Bound) return TErr.Invalid;
    if (st === St.Fresh) this.port[ep] = this.ephemeral(EndpointKind.Stream);
    const s = this.sn[ep];
    const r = this.openListener(s, ep);
    if (r < 0) return this.mapErr(r);
    this.role[s] = Role.Armed;
    this.sn[ep] = -1;
    this.st[ep] = St.Listening;
    let b = backlog > 0 ? Math.floor(backlog) : 1;
    if (b > Chip.SOCKETS) b = Chip.SOCKETS;
    this.backlog[ep] = b;
    this.armMore(ep);
    return 0;
  }

  pendingAccepts(ep: number): number {
    if (!this.live(ep) || this.st[ep] !== St.Listening) return 0;
    let n = 0;
    for (let s = 0; s < Chip.SOCKETS; s++) if (this.snEp[s] === ep && this.role[s] === Role.Ready) n++;
    return n;
  }

  accept(ep: number): number {
    if (!this.live(ep) || this.st[ep] !== St.Listening) return TErr.Invalid;
    let s = -1;
    for (let k = 0; k < Chip.SOCKETS; k++) {
      if (this.snEp[k] === ep && this.role[k] === Role.Ready && (s < 0 || this.snSeq[k] < this.snSeq[s])) s = k;
    }
    if (s < 0) return TErr.Invalid;
    const c = this.freeSlot();
    if (c < 0) return TErr.NoBuffers;
    this.kind[c] = EndpointKind.Stream;
    this.st[c] = St.Connected;
    this.fl[c] = (this.fl[ep] & Fl.NODELAY) | Fl.ACCEPTED;
    this.sn[c] = s;
    this.port[c] = this.port[ep];
    this.unsentAt[c] = 0;
    this.dgLen[c] = -1;
    this.txKnown[c] = this.drv.txSize[s];
    this.staged[c] = 0;
    this.role[s] = Role.Own;
    this.snEp[s] = c;
    if (this.drv.peer(s, this.addr6) === W5500Err.OK) {
      this.peerIp[c] = bytesToIp(this.addr6, 0);
      this.peerPort[c] = (this.addr6[4] << 8) | this.addr6[5];
    }
    // What happened between the connection and accept() is told now, on the next turn.
    this.rxKnown[c] = 0;
    this.learnRx(c);
    if (this.rxKnown[c] > 0) this.defer(c, Q.READABLE, 0, 0);
    if (this.snFin[s]) {
      this.fl[c] |= Fl.FIN;
      this.defer(c, Q.FIN, 0, 0);
    }
    this.armMore(ep);
    return c;
  }

  connect(ep: number, ip: number, port: number): number {
    if (!this.live(ep) || this.kind[ep] !== EndpointKind.Stream) return TErr.Invalid;
    if (this.down) return TErr.NetDown;
    const st = this.st[ep];
    if (st !== St.Fresh && st !== St.Bound) return TErr.Invalid;
    if (!ip || typeof port !== 'number' || port <= 0 || port > 0xffff) return TErr.Invalid;
    if (st === St.Fresh) {
      this.port[ep] = this.ephemeral(EndpointKind.Stream);
      this.st[ep] = St.Bound;
    }
    const s = this.sn[ep];
    const addr = ipToBytes(ip, this.ip4, 0);
    let r = this.drv.open(s, Sn_MR.TCP | this.ndBit(ep), this.port[ep], addr, port);
    if (r < 0) return this.mapErr(r);
    r = this.drv.connect(s, addr, port);
    if (r < 0) {
      this.drv.close(s);
      return this.mapErr(r);
    }
    this.peerIp[ep] = ip >>> 0;
    this.peerPort[ep] = port;
    this.st[ep] = St.Connecting;
    return 0;
  }

  // ---------------------------------------------------------------- data

  send(ep: number, buf: Uint8Array, off: number, len: number): number {
    if (!this.live(ep) || this.kind[ep] !== EndpointKind.Stream || !this.validRange(buf, off, len)) return TErr.Invalid;
    if (this.down) return TErr.NetDown;
    if (this.st[ep] !== St.Connected || (this.fl[ep] & Fl.SHUT)) return TErr.Invalid;
    if (len === 0) return 0;
    const s = this.sn[ep];
    // Keep the byte order: while anything is staged, new bytes queue behind it.
    if (this.drv.sending(s) || this.staged[ep] > 0) return this.stageBytes(ep, buf, off, len);
    const r = this.drv.send(s, buf.subarray(off, off + len));
    if (r < 0) {
      if (!this.drv.isUp()) return TErr.NetDown;
      // BUSY, or Sn_SR left ESTABLISHED and the event telling why is on its way
      this.fl[ep] |= Fl.WANT_WRITE;
      return 0;
    }
    this.tookTx(ep, r);
    if (r < len) this.fl[ep] |= Fl.WANT_WRITE;
    return r;
  }

  private tookTx(ep: number, n: number): void {
    const k = this.txKnown[ep];
    this.txKnown[ep] = k > n ? k - n : 0;
  }

  private stageBytes(ep: number, buf: Uint8Array, off: number, len: number): number {
    let st = this.stage[ep];
    if (!st && this.stageMax > 0) {
      st = new Uint8Array(this.stageMax);
      this.stage[ep] = st;
    }
    const have = this.staged[ep];
    const room = st ? st.length - have : 0;
    const n = len < room ? len : room;
    if (n > 0) {
      (st as Uint8Array).set(buf.subarray(off, off + n), have);
      this.staged[ep] = have + n;
    }
    if (n < len) this.fl[ep] |= Fl.WANT_WRITE;
    return n;
  }

  /** hands staged bytes to the chip once no SEND is in flight; then the FIN if one is owed */
  private flushStage(ep: number): void {
    const s = this.sn[ep];
    const have = this.staged[ep];
    if (have > 0 && !this.drv.sending(s)) {
      const st = this.stage[ep] as Uint8Array;
      const r = this.drv.send(s, st.subarray(0, have));
      if (r > 0) {
        this.tookTx(ep, r);
        // moving the rest to the front: a forward copy, safe for overlapping ranges
        if (r < have) st.set(st.subarray(r, have), 0);
        this.staged[ep] = have - r;
      }
    }
    if ((this.fl[ep] & Fl.SHUT) && this.staged[ep] === 0 && !this.drv.sending(s)) this.discon(ep);
  }

  writeSpace(ep: number): number {
    if (!this.live(ep) || this.down) return 0;
    const s = this.sn[ep];
    if (this.kind[ep] === EndpointKind.Datagram) {
      if (s < 0 || this.drv.sending(s)) return 0;
      return this.caps.maxDatagram;
    }
    if (this.st[ep] !== St.Connected || (this.fl[ep] & (Fl.SHUT | Fl.RELEASED))) return 0;
    if (this.drv.sending(s) || this.staged[ep] > 0) return this.stageMax - this.staged[ep];
    return this.txKnown[ep];
  }

  sendTo(ep: number, buf: Uint8Array, off: number, len: number, ip: number, port: number): number {
    if (!this.live(ep) || this.kind[ep] !== EndpointKind.Datagram || !this.validRange(buf, off, len)) return TErr.Invalid;
    if (this.down) return TErr.NetDown;
    if (len > this.caps.maxDatagram) return TErr.MsgSize;
    if (!ip || typeof port !== 'number' || port <= 0 || port > 0xffff) return TErr.Invalid;
    if (this.st[ep] === St.Fresh) {
      const b = this.bind(ep, 0, 0);
      if (b < 0) return b;
    }
    const s = this.sn[ep];
    if (this.drv.sending(s)) {
      this.fl[ep] |= Fl.WANT_WRITE;
      return 0;
    }
    const r = this.drv.sendTo(s, buf.subarray(off, off + len), ipToBytes(ip, this.ip4, 0), port);
    if (r === len) return len;
    if (r === 0 || r === W5500Err.BUSY) {
      this.fl[ep] |= Fl.WANT_WRITE;
      return 0;
    }
    return r < 0 ? this.mapErr(r) : TErr.Invalid;
  }

  readable(ep: number): number {
    if (!this.live(ep)) return this.kind[ep] === EndpointKind.Datagram ? -1 : 0;
    const s = this.sn[ep];
    if (this.kind[ep] === EndpointKind.Datagram) return this.dgLen[ep];
    if (s < 0 || (this.fl[ep] & Fl.RELEASED) || this.st[ep] < St.Connected) return 0;
    return this.rxKnown[ep];
  }

  recv(ep: number, buf: Uint8Array, off: number, len: number): number {
    if (!this.live(ep) || this.kind[ep] !== EndpointKind.Stream || !this.validRange(buf, off, len)) return 0;
    const s = this.sn[ep];
    if (s < 0 || len === 0 || this.st[ep] < St.Connected) return 0;
    const n = this.drv.recv(s, buf.subarray(off, off + len));
    const k = this.rxKnown[ep];
    // more than we knew of: the rest arrived after the last RECV, whose event is on its way
    this.rxKnown[ep] = n > 0 && k > n ? k - n : (n > 0 ? 0 : k);
    return n > 0 ? n : 0;
  }

  recvFrom(ep: number, buf: Uint8Array, off: number, len: number, from: PeerAddress): number {
    if (!this.live(ep) || this.kind[ep] !== EndpointKind.Datagram || !this.validRange(buf, off, len)) return -1;
    const full = this.dgLen[ep];
    if (full < 0) return -1;
    const d = this.dgBuf[ep] as Uint8Array;
    const kept = full < d.length ? full : d.length;
    const c = kept < len ? kept : len;
    buf.set(d.subarray(0, c), off);
    if (from) {
      from.ip = this.dgFrom[ep];
      from.port = this.dgFromPort[ep];
    }
    this.dgLen[ep] = -1;
    // the next one, if it came with the same RECV
    this.pullDatagram(ep);
    return full;
  }

  unsent(ep: number): number {
    if (!this.live(ep) || this.kind[ep] !== EndpointKind.Stream) return 0;
    if (this.st[ep] === St.Connected && this.sn[ep] >= 0) {
      const inChip = this.drv.txSize[this.sn[ep]] - this.txKnown[ep];
      return (inChip > 0 ? inChip : 0) + this.staged[ep];
    }
    return this.unsentAt[ep];
  }

  // ---------------------------------------------------------------- teardown

  shutdownSend(ep: number): void {
    if (!this.live(ep) || this.kind[ep] !== EndpointKind.Stream || (this.fl[ep] & Fl.SHUT)) return;
    this.fl[ep] |= Fl.SHUT;
    // Still connecting: the DISCON follows CON. Otherwise once the SEND in flight has completed.
    if (this.st[ep] === St.Connected) this.flushStage(ep);
  }

  abort(ep: number): number {
    if (ep < 0 || ep >= this.max || this.st[ep] === St.Free) return 0;
    let unsent = 0;
    if (this.kind[ep] === EndpointKind.Stream) {
      if (this.st[ep] === St.Connected && this.sn[ep] >= 0) unsent = this.pending(ep);
      else if (this.st[ep] === St.Ended) unsent = this.unsentAt[ep];
    }
    if (this.st[ep] === St.Listening) {
      for (let s = 0; s < Chip.SOCKETS; s++) if (this.snEp[s] === ep) this.freeHw(s);
    }
    this.freeEp(ep);
    return unsent;
  }

  release(ep: number): boolean {
    if (ep < 0 || ep >= this.max || this.st[ep] === St.Free) return true;
    if (this.fl[ep] & Fl.RELEASED) return false;
    if (this.st[ep] !== St.Connected || this.down) {
      this.abort(ep);
      return true;
    }
    if (!(this.fl[ep] & Fl.SHUT)) this.shutdownSend(ep);
    this.fl[ep] |= Fl.RELEASED;
    this.relSeq[ep] = this.seq++;
    this.discard(ep);
    if (this.closeMs <= 0) return false;
    const self = this;
    const g = this.gen[ep];
    this.closeTimer[ep] = this.clock.setTimeout(function () {
      self.closeTimer[ep] = 0;
      if (self.gen[ep] === g && (self.fl[ep] & Fl.RELEASED)) self.forceEnd(ep);
    }, this.closeMs);
    return false;
  }

  // ---------------------------------------------------------------- options and names

  setOption(ep: number, opt: TOption, value: number): boolean {
    if (!this.live(ep) || this.kind[ep] !== EndpointKind.Stream) return false;
    if (opt === TOption.KeepAlive) {
      const s = this.sn[ep];
      let units = value > 0 ? Math.ceil(value / 5) : 0;
      if (units > 0xff) units = 0xff;
      if (s >= 0) this.drv.setKeepAlive(s, units);
      return true;
    }
    if (opt === TOption.NoDelay) {
      // Sn_MR.ND is read at OPEN: it applies to the next connection or listener.
      if (value) this.fl[ep] |= Fl.NODELAY;
      else this.fl[ep] &= ~Fl.NODELAY;
      return true;
    }
    return false;
  }

  localName(ep: number, out: PeerAddress): boolean {
    if (!this.live(ep) || this.port[ep] === 0) return false;
    out.ip = this.ip;
    out.port = this.port[ep];
    return true;
  }

  peerName(ep: number, out: PeerAddress): boolean {
    if (!this.live(ep) || this.kind[ep] !== EndpointKind.Stream || this.peerPort[ep] === 0) return false;
    if (this.st[ep] !== St.Connected && this.st[ep] !== St.Ended) return false;
    out.ip = this.peerIp[ep];
    out.port = this.peerPort[ep];
    return true;
  }

  pump(): void {
    this.drv.poll();
    this.flush();
  }

  /** Stops the transport's own timers (the driver is stopped by its owner). */
  stop(): void {
    if (this.flushTimer) this.clock.clearTimeout(this.flushTimer);
    this.flushTimer = 0;
    for (let ep = 0; ep < this.max; ep++) {
      if (this.closeTimer[ep]) this.clock.clearTimeout(this.closeTimer[ep]);
      this.closeTimer[ep] = 0;
    }
  }

  // ---------------------------------------------------------------- driver events

  private onSocket(s: number, ev: number): void {
    const ep = this.snEp[s];
    if (ep < 0) return;
    const role = this.role[s];
    if (role === Role.Armed) {
      if (ev === SnEvent.CON) {
        this.role[s] = Role.Ready;
        this.snSeq[s] = this.seq++;
        this.snFin[s] = 0;
        this.sink.acceptable(ep);
      } else if (ev === SnEvent.TIMEOUT || ev === SnEvent.RESET || ev === SnEvent.CLOSED) {
        this.relisten(s, ep);
      }
      return;
    }
    if (role === Role.Ready) {
      if (ev === SnEvent.DISCON) this.snFin[s] = 1;
      // A connection reset or timed out before accept() is dropped, as BSD stacks drop it from the queue.
      else if (ev === SnEvent.TIMEOUT || ev === SnEvent.RESET || ev === SnEvent.CLOSED) this.relisten(s, ep);
      return;
    }
    if (this.kind[ep] === EndpointKind.Datagram) {
      if (ev === SnEvent.RECV) {
        if (this.dgLen[ep] < 0) this.pullDatagram(ep);
        if (this.dgLen[ep] >= 0) this.sink.readable(ep);
      }
      else if (ev === SnEvent.SEND_OK || ev === SnEvent.WRITABLE || ev === SnEvent.TIMEOUT) this.owedWrite(ep);
      return;
    }
    const st = this.st[ep];
    if (st === St.Connecting) {
      if (ev === SnEvent.CON) {
        this.st[ep] = St.Connected;
        this.txKnown[ep] = this.drv.txSize[s];
        this.rxKnown[ep] = 0;
        if (this.fl[ep] & Fl.SHUT) this.flushStage(ep);
        this.sink.connectDone(ep, TCause.None);
      } else if (ev === SnEvent.TIMEOUT || ev === SnEvent.RESET) {
        const cause = ev === SnEvent.RESET ? TCause.Refused : (this.arpFailed(s) ? TCause.Unreachable : TCause.Timeout);
        this.drv.close(s);
        this.st[ep] = St.Bound;
        this.peerIp[ep] = 0;
        this.peerPort[ep] = 0;
        this.fl[ep] &= Fl.NODELAY;
        this.sink.connectDone(ep, cause);
      }
      return;
    }
    if (st !== St.Connected) return;
    switch (ev) {
      case SnEvent.RECV:
        if (this.fl[ep] & Fl.RELEASED) this.discard(ep);
        else {
          this.learnRx(ep);
          this.sink.readable(ep);
        }
        return;
      case SnEvent.SEND_OK:
      case SnEvent.WRITABLE:
        this.txKnown[ep] = this.txFree(s);
        this.flushStage(ep);
        this.owedWrite(ep);
        return;
      case SnEvent.DISCON:
        if (this.fl[ep] & Fl.FIN) return;
        this.learnRx(ep);
        this.fl[ep] |= Fl.FIN;
        this.sink.peerFin(ep);
        return;
      case SnEvent.TIMEOUT:
        this.end(ep, TCause.Timeout);
        return;
      case SnEvent.RESET:
        this.end(ep, TCause.Reset);
        return;
      case SnEvent.CLOSED:
        this.end(ep, TCause.None);
        return;
    }
  }

  private onFailure(): void {
    this.down = true;
    for (let s = 0; s < Chip.SOCKETS; s++) {
      if (this.role[s] === Role.Armed || this.role[s] === Role.Ready) this.freeHw(s);
    }
    for (let ep = 0; ep < this.max; ep++) {
      const st = this.st[ep];
      if (st === St.Connecting) {
        this.st[ep] = St.Bound;
        this.sink.connectDone(ep, TCause.NetDown);
      } else if (st === St.Connected || st === St.Listening) {
        this.end(ep, TCause.NetDown);
      }
    }
  }

  /** the connection is over: report it, and free a released endpoint */
  private end(ep: number, cause: TCause): void {
    const s = this.sn[ep];
    const unsent = cause === TCause.None || s < 0 ? 0 : this.pending(ep);
    this.unsentAt[ep] = unsent;
    this.staged[ep] = 0;
    this.txKnown[ep] = 0;
    if (this.down) this.rxKnown[ep] = 0;
    else this.learnRx(ep);
    if (this.fl[ep] & Fl.RELEASED) {
      this.freeEp(ep);
    } else {
      this.st[ep] = St.Ended;
    }
    this.sink.ended(ep, cause, unsent);
  }

  /** the close bound ran out: CLOSE, and report the end as a timeout */
  private forceEnd(ep: number): void {
    const s = this.sn[ep];
    const unsent = s >= 0 ? this.pending(ep) : 0;
    this.freeEp(ep);
    this.sink.ended(ep, TCause.Timeout, unsent);
  }

  private owedWrite(ep: number): void {
    if (!(this.fl[ep] & Fl.WANT_WRITE)) return;
    this.fl[ep] &= ~Fl.WANT_WRITE;
    this.sink.writable(ep);
  }

  private discon(ep: number): void {
    if (this.fl[ep] & Fl.DISCON) return;
    this.fl[ep] |= Fl.DISCON;
    this.drv.disconnect(this.sn[ep]);
  }

  /** a released connection's incoming data is dropped on the chip, so the peer's window stays open until its FIN */
  private discard(ep: number): void {
    const s = this.sn[ep];
    if (s >= 0) this.drv.discard(s);
  }

  /** did ARP for the peer never answer? The chip fills Sn_DHAR from the ARP reply; OPEN with a peer left it FF…FF. */
  private arpFailed(s: number): boolean {
    const v = this.addr6;
    if (this.drv.peerMac(s, v) !== W5500Err.OK) return false;
    for (let i = 0; i < 6; i++) if (v[i] !== 0xff) return false;
    return true;
  }

  // ---------------------------------------------------------------- hardware sockets

  /** a free hardware socket, else a spare listener, else the oldest background close (reclaimed by CLOSE) */
  private takeHw(): number {
    for (let s = 0; s < Chip.SOCKETS; s++) if (this.role[s] === Role.Free) return s;
    for (let s = 0; s < Chip.SOCKETS; s++) {
      if (this.isSpare(s)) {
        this.freeHw(s);
        return s;
      }
    }
    let old = -1;
    for (let ep = 0; ep < this.max; ep++) {
      if ((this.fl[ep] & Fl.RELEASED) && this.sn[ep] >= 0 && (old < 0 || this.relSeq[ep] < this.relSeq[old])) old = ep;
    }
    if (old < 0) return -1;
    const s = this.sn[old];
    const unsent = this.pending(old);
    this.freeEp(old);
    // The id stays taken until the layer has heard that this close ended.
    this.fl[old] |= Fl.ZOMBIE;
    this.defer(old, Q.ENDED, TCause.Timeout, unsent);
    return s;
  }

  /** an armed listener whose endpoint keeps another armed one */
  private isSpare(s: number): boolean {
    if (this.role[s] !== Role.Armed) return false;
    const ep = this.snEp[s];
    for (let k = 0; k < Chip.SOCKETS; k++) if (k !== s && this.snEp[k] === ep && this.role[k] === Role.Armed) return true;
    return false;
  }

  private freeHw(s: number): void {
    if (this.role[s] === Role.Free) return;
    this.drv.close(s);
    this.role[s] = Role.Free;
    this.snEp[s] = -1;
    this.snFin[s] = 0;
    this.scheduleFlush();
  }

  private openListener(s: number, ep: number): number {
    let r = this.drv.open(s, Sn_MR.TCP | this.ndBit(ep), this.port[ep]);
    if (r < 0) return r;
    r = this.drv.listen(s);
    if (r < 0) {
      this.drv.close(s);
      return r;
    }
    this.snEp[s] = ep;
    this.snFin[s] = 0;
    return 0;
  }

  /** put `s` back into LISTEN for `ep` (its connection went away before accept, or the listener was knocked out) */
  private relisten(s: number, ep: number): void {
    this.drv.close(s);
    this.role[s] = Role.Free;
    this.snEp[s] = -1;
    this.snFin[s] = 0;
    if (!this.down && this.armed(ep) + this.readyCount(ep) < this.backlog[ep] && this.openListener(s, ep) === 0) {
      this.role[s] = Role.Armed;
      return;
    }
    this.scheduleFlush();
  }

  /** re-arms a listening endpoint up to its backlog, on free hardware sockets only */
  private armMore(ep: number): void {
    while (!this.down && this.armed(ep) + this.readyCount(ep) < this.backlog[ep]) {
      let s = -1;
      for (let k = 0; k < Chip.SOCKETS; k++) if (this.role[k] === Role.Free) { s = k; break; }
      if (s < 0) return;
      if (this.openListener(s, ep) < 0) return;
      this.role[s] = Role.Armed;
    }
  }

  private armed(ep: number): number {
    let n = 0;
    for (let s = 0; s < Chip.SOCKETS; s++) if (this.snEp[s] === ep && this.role[s] === Role.Armed) n++;
    return n;
  }

  private readyCount(ep: number): number {
    let n = 0;
    for (let s = 0; s < Chip.SOCKETS; s++) if (this.snEp[s] === ep && this.role[s] === Role.Ready) n++;
    return n;
  }

  private txFree(s: number): number {
    const v = this.drv.txSpace(s);
    return v > 0 ? v : 0;
  }

  /** bytes of a connection the peer has not acknowledged: in the chip, and still staged here */
  private pending(ep: number): number {
    const s = this.sn[ep];
    return (s >= 0 && !this.down ? this.txUnsent(s) : 0) + this.staged[ep];
  }

  private txUnsent(s: number): number {
    const v = this.drv.txSpace(s);
    if (v < 0) return 0;
    const n = this.drv.txSize[s] - v;
    return n > 0 ? n : 0;
  }

  // ---------------------------------------------------------------- endpoint bookkeeping

  /** a driver failure as a transport error: a driver that went down (bus, chip gone or reset) is NetDown */
  private mapErr(r: number): number {
    if (!this.drv.isUp()) return TErr.NetDown;
    if (r === W5500Err.MSGSIZE) return TErr.MsgSize;
    return TErr.Invalid;
  }

  private live(ep: number): boolean {
    return typeof ep === 'number' && ep >= 0 && ep < this.max && this.st[ep] !== St.Free;
  }

  private validRange(buf: Uint8Array, off: number, len: number): boolean {
    return buf instanceof Uint8Array && typeof off === 'number' && typeof len === 'number' && off >= 0 && len >= 0 &&
      Math.floor(off) === off && Math.floor(len) === len && off + len <= buf.length;
  }

  private freeSlot(): number {
    for (let ep = 0; ep < this.max; ep++) if (this.st[ep] === St.Free && !(this.fl[ep] & Fl.ZOMBIE)) return ep;
    return -1;
  }

  private freeEp(ep: number): void {
    const s = this.sn[ep];
    if (s >= 0) this.freeHw(s);
    if (this.closeTimer[ep]) this.clock.clearTimeout(this.closeTimer[ep]);
    this.closeTimer[ep] = 0;
    this.sn[ep] = -1;
    this.st[ep] = St.Free;
    this.kind[ep] = 0;
    this.fl[ep] = 0;
    this.port[ep] = 0;
    this.dgLen[ep] = -1;
    this.staged[ep] = 0;
    this.gen[ep] = (this.gen[ep] + 1) & 0xffff;
  }

  private ndBit(ep: number): number {
    return (this.fl[ep] & Fl.NODELAY) ? Sn_MR.ND : 0;
  }

  /**
   * Is `port` bound by another endpoint? Accepted connections and background closes do not hold
   * the port they use, so a server can listen again at once (the chip keeps them apart by peer);
   * with `any`, every endpoint using it counts (for picking ephemeral ports).
   */
  private portTaken(port: number, kind: number, self: number, any?: boolean): boolean {
    for (let ep = 0; ep < this.max; ep++) {
      if (ep === self || this.st[ep] === St.Free || this.kind[ep] !== kind || this.port[ep] !== port) continue;
      if (any || !(this.fl[ep] & (Fl.ACCEPTED | Fl.RELEASED))) return true;
    }
    return false;
  }

  private ephemeral(kind: number): number {
    const span = 0x10000 - this.ephBase;
    for (let i = 0; i < span; i++) {
      const p = this.ephBase + ((this.nextEph + i) % span);
      if (!this.portTaken(p, kind, -1, true)) {
        this.nextEph = (this.nextEph + i + 1) % span;
        return p;
      }
    }
    return this.ephBase;
  }

  /** Sn_RX_RSR now (events and members only, never a query) */
  private learnRx(ep: number): void {
    const s = this.sn[ep];
    const n = s >= 0 ? this.drv.rxAvailable(s) : 0;
    this.rxKnown[ep] = n > 0 ? n : 0;
  }

  /** reads the next datagram ahead, so `readable` can give its length without bus traffic */
  private pullDatagram(ep: number): number {
    if (this.dgLen[ep] >= 0) return this.dgLen[ep];
    const s = this.sn[ep];
    if (s < 0 || this.st[ep] !== St.Bound) return -1;
    let d = this.dgBuf[ep];
    if (!d) {
      const size = this.drv.rxSize[s];
      d = new Uint8Array(size > 0 ? size : 2048);
      this.dgBuf[ep] = d;
    }
    const n = this.drv.recvFrom(s, d, this.addr6);
    if (n < 0) return -1;
    this.dgLen[ep] = n;
    this.dgFrom[ep] = bytesToIp(this.addr6, 0);
    this.dgFromPort[ep] = (this.addr6[4] << 8) | this.addr6[5];
    return n;
  }

  // ---------------------------------------------------------------- deferred sink calls

  private defer(ep: number, what: number, cause: number, unsent: number): void {
    this.qEp.push(ep);
    this.qGen.push(this.gen[ep]);
    this.qWhat.push(what);
    this.qCause.push(cause);
    this.qUnsent.push(unsent);
    this.scheduleFlush();
  }

  private scheduleFlush(): void {
    if (this.flushTimer) return;
    const self = this;
    this.flushTimer = this.clock.setTimeout(function () { self.flushTimer = 0; self.flush(); }, 0);
  }

  /** delivers deferred sink calls, then re-arms listeners on sockets that came free */
  private flush(): void {
    while (this.qEp.length > 0) {
      const ep = this.qEp.shift() as number;
      const g = this.qGen.shift() as number;
      const what = this.qWhat.shift() as number;
      const cause = this.qCause.shift() as number;
      const unsent = this.qUnsent.shift() as number;
      if (this.gen[ep] !== g) continue;
      if (what === Q.ENDED) {
        this.fl[ep] &= ~Fl.ZOMBIE;
        this.sink.ended(ep, cause, unsent);
      } else if (this.st[ep] !== St.Free) {
        if (what === Q.READABLE) this.sink.readable(ep);
        else if (what === Q.FIN) this.sink.peerFin(ep);
        else if (what === Q.ACCEPTABLE) this.sink.acceptable(ep);
      }
    }
    if (this.down) return;
    for (let ep = 0; ep < this.max; ep++) if (this.st[ep] === St.Listening) this.armMore(ep);
  }
}
