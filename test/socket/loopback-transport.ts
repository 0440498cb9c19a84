/**
 * TEST DOUBLE — an in-memory Transport for the socket layer's unit tests. Every connection runs
 * between two endpoints of this same object ("device" endpoints, handed to the socket layer, and
 * optional "raw" endpoints that a test drives byte by byte as a remote host would). It keeps the
 * Transport contract (events only from pump(), no timer of its own: work is asked for with the sink's
 * `wake`, release/abort semantics, flow control by a receive window) and nothing else: all Winsock behaviour lives in the socket layer, and the conformance
 * suite re-checks it against the W5500 model with kernel peers.
 *
 * Flow control: bytes sit in the sender's queue (`unsent`) until the receiver has room in its
 * receive buffer (`rxCap`); moving them counts as the acknowledgement. A FIN goes once the queue is
 * empty. A connection ends gracefully when both FINs have gone.
 */
import type { Clock } from '../../hal/clock';
import { EndpointKind, TCause, TErr } from '../../firmware/transport/transport';
import type { PeerAddress, Transport, TransportCaps, TransportSink } from '../../firmware/transport/transport';

type State = 'free' | 'open' | 'listening' | 'connecting' | 'connected' | 'ended';

class LEp {
  id: number;
  raw: boolean;
  kind: EndpointKind = EndpointKind.Stream;
  state: State = 'free';
  port = 0;
  peer: LEp | null = null;
  rx: number[] = [];
  tx: number[] = [];
  rxCap: number;
  txCap: number;
  finQueued = false;
  finSent = false;
  peerFinSeen = false;
  released = false;
  wantWritable = false;
  backlog = 0;
  acceptQ: LEp[] = [];
  connectAt = 0;
  connectIp = 0;
  connectPort = 0;
  dgrams: { data: Uint8Array; ip: number; port: number }[] = [];
  opts: number[] = [];
  constructor(id: number, raw: boolean, rxCap: number, txCap: number) {
    this.id = id;
    this.raw = raw;
    this.rxCap = rxCap;
    this.txCap = txCap;
  }
}

export interface LoopbackOptions {
  endpoints?: number;
  ip?: number;
  rxCap?: number;
  txCap?: number;
  /** how long a connect takes, ms */
  latency?: number;
  holdsAfterClose?: boolean;
  canSendReset?: boolean;
}

/** A remote host's end of one connection, driven directly by a test. */
export class RawPeer {
  constructor(private t: LoopbackTransport, readonly ep: LEp) {}
  send(bytes: Uint8Array): void {
    for (const b of bytes) this.ep.tx.push(b);
    this.t.wake();
  }
  /** everything received so far, consumed */
  read(): Uint8Array {
    const out = new Uint8Array(this.ep.rx);
    this.ep.rx.length = 0;
    this.t.wake();
    return out;
  }
  fin(): void {
    this.ep.finQueued = true;
    this.t.wake();
  }
  /** the peer sends RST */
  reset(): void {
    this.t.resetPair(this.ep, TCause.Reset);
  }
  get gotFin(): boolean { return this.ep.peerFinSeen; }
  get connected(): boolean { return this.ep.state === 'connected'; }
  get wasReset(): boolean { return this.ep.state === 'ended' && !this.ep.finSent; }
  /** its receive window: bytes it will take before it reads */
  set window(n: number) { this.ep.rxCap = n; }
}

export class LoopbackTransport implements Transport {
  readonly caps: TransportCaps;
  private sink: TransportSink | null = null;
  private eps: LEp[] = [];
  private raws: LEp[] = [];
  private ip: number;
  private rxCap: number;
  private txCap: number;
  private latency: number;
  private nextEphemeral = 49152;
  private pendingEnds: { ep: LEp; cause: TCause }[] = [];
  /** a log of calls that reach the wire, for tests: 'fin 3', 'abort 2', … */
  readonly wireLog: string[] = [];
  private down = false;
  private link = true;
  private linkEvents: boolean[] = [];

  constructor(private clock: Clock, opts: LoopbackOptions = {}) {
    const n = opts.endpoints ?? 8;
    this.ip = opts.ip ?? 0x0a000001;
    this.rxCap = opts.rxCap ?? 256;
    this.txCap = opts.txCap ?? 256;
    this.latency = opts.latency ?? 1;
    this.caps = { canSendReset: opts.canSendReset ?? false, holdsAfterClose: opts.holdsAfterClose ?? true, maxDatagram: 1472 };
    for (let i = 0; i < n; i++) this.eps.push(new LEp(i, false, this.rxCap, this.txCap));
  }

  // -------- test controls

  /** a remote host connects to our `port`; null when refused */
  rawConnect(port: number, remotePort = 40000 + this.raws.length): RawPeer {
    const r = new LEp(1000 + this.raws.length, true, 1 << 20, 1 << 20);
    r.state = 'connecting';
    r.port = remotePort;
    r.connectIp = this.ip;
    r.connectPort = port;
    r.connectAt = this.clock.now();
    this.raws.push(r);
    this.wake();
    return new RawPeer(this, r);
  }
  /** a remote host listening on `port`, for device connects; returns its accepted peers as they come */
  rawListen(port: number): RawPeer[] {
    const r = new LEp(1000 + this.raws.length, true, 1 << 20, 1 << 20);
    r.state = 'listening';
    r.port = port;
    r.backlog = 8;
    this.raws.push(r);
    const out: RawPeer[] = [];
    (r as unknown as { accepted: RawPeer[] }).accepted = out;
    return out;
  }
  /** the chip reports TIMEOUT on the connection of endpoint `ep` */
  injectTimeout(ep: number): void {
    this.pendingEnds.push({ ep: this.eps[ep], cause: TCause.Timeout });
    this.wake();
  }
  /** the NIC stops answering */
  failNic(): void {
    this.down = true;
    for (const e of this.eps) {
      if (e.state === 'connecting') this.pendingEnds.push({ ep: e, cause: TCause.NetDown });
      else if (e.state === 'connected' || e.state === 'listening') this.pendingEnds.push({ ep: e, cause: TCause.NetDown });
    }
    this.wake();
  }
  /** the cable is pulled or put back: a link event on the next pump */
  setLink(up: boolean): void {
    this.link = up;
    this.linkEvents.push(up);
    this.wake();
  }
  /** device endpoints in use (not free) */
  inUse(): number {
    return this.eps.filter((e) => e.state !== 'free').length;
  }
  stateOf(ep: number): State {
    return this.eps[ep].state;
  }
  /** device endpoint whose connection runs to the remote `port` */
  endpointTo(remotePort: number): number {
    const e = this.eps.find((x) => x.state !== 'free' && x.peer !== null && x.peer.port === remotePort);
    return e ? e.id : -1;
  }
  optionsOf(ep: number): number[] {
    return this.eps[ep].opts;
  }

  /** work to move: ask the runner (the socket layer's event loop) for a pump on the next turn; no timer of its own */
  wake(): void {
    if (this.sink) this.sink.wake(this.clock.now());
  }

  resetPair(e: LEp, cause: TCause): void {
    const p = e.peer;
    this.endNow(e, cause);
    if (p && p.state === 'connected') this.pendingEnds.push({ ep: p, cause });
    this.wake();
  }

  // -------- Transport

  setSink(sink: TransportSink): void { this.sink = sink; }
  maxEndpoints(): number { return this.eps.length; }
  available(): number { return this.down ? 0 : this.eps.filter((e) => e.state === 'free').length; }
  localIp(): number { return this.ip; }
  held(): number { return this.inUse(); }
  setAddress(ip: number, _mask: number, _gateway: number): number {
    if (this.down) return TErr.NetDown;
    if (typeof ip !== 'number') return TErr.Invalid;
    this.ip = ip >>> 0;
    return 0;
  }
  linkUp(): boolean { return !this.down && this.link; }
  idle(until: number): void {
    // in memory, "the NIC signals work" is: pump() has something to move
    if (this.hasWork() || this.linkEvents.length > 0) return;
    const now = this.clock.now();
    if (until > now) this.clock.pause(until - now);
  }
  private live(ep: unknown): boolean {
    return typeof ep === 'number' && Number.isInteger(ep) && ep >= 0 && ep < this.eps.length && this.eps[ep].state !== 'free';
  }
  private range(buf: unknown, off: unknown, len: unknown): boolean {
    return buf instanceof Uint8Array && typeof off === 'number' && typeof len === 'number' && Number.isInteger(off) && Number.isInteger(len) &&
      off >= 0 && len >= 0 && off + len <= buf.length;
  }

  open(kind: EndpointKind): number {
    if (this.down) return TErr.NetDown;
    if (kind !== EndpointKind.Stream && kind !== EndpointKind.Datagram) return TErr.Invalid;
    const e = this.eps.find((x) => x.state === 'free');
    if (!e) return TErr.NoBuffers;
    this.fresh(e);
    e.kind = kind;
    e.state = 'open';
    return e.id;
  }
  bind(ep: number, _ip: number, port: number): number {
    if (!this.live(ep) || typeof port !== 'number' || port < 0 || port > 0xffff) return TErr.Invalid;
    if (this.down) return TErr.NetDown;
    const e = this.eps[ep];
    if (port !== 0 && this.eps.some((x) => x !== e && x.state !== 'free' && x.kind === e.kind && x.port === port && x.state === 'listening')) return TErr.AddrInUse;
    e.port = port === 0 ? this.nextEphemeral++ : port;
    return 0;
  }
  listen(ep: number, backlog: number): number {
    if (!this.live(ep) || this.eps[ep].kind !== EndpointKind.Stream) return TErr.Invalid;
    if (this.down) return TErr.NetDown;
    const e = this.eps[ep];
    if (e.port === 0) e.port = this.nextEphemeral++;
    e.state = 'listening';
    e.backlog = backlog;
    return 0;
  }
  pendingAccepts(ep: number): number { return this.live(ep) ? this.eps[ep].acceptQ.length : 0; }
  accept(ep: number): number {
    if (!this.live(ep)) return TErr.Invalid;
    const c = this.eps[ep].acceptQ.shift();
    return c ? c.id : TErr.Invalid;
  }
  connect(ep: number, ip: number, port: number): number {
    if (!this.live(ep) || this.eps[ep].kind !== EndpointKind.Stream || !ip || typeof port !== 'number' || port <= 0 || port > 0xffff) return TErr.Invalid;
    if (this.down) return TErr.NetDown;
    const e = this.eps[ep];
    if (e.port === 0) e.port = this.nextEphemeral++;
    e.state = 'connecting';
    e.connectIp = ip;
    e.connectPort = port;
    e.connectAt = this.clock.now() + this.latency;
    if (this.sink) this.sink.wake(e.connectAt);
    return 0;
  }
  send(ep: number, buf: Uint8Array, off: number, len: number): number {
    if (!this.live(ep) || this.eps[ep].kind !== EndpointKind.Stream || !this.range(buf, off, len)) return TErr.Invalid;
    if (this.down) return TErr.NetDown;
    const e = this.eps[ep];
    if (e.state !== 'connected' || e.finQueued) return TErr.Invalid;
    const n = Math.min(len, e.txCap - e.tx.length);
    for (let i = 0; i < n; i++) e.tx.push(buf[off + i]);
    if (n < len) e.wantWritable = true;
    if (n > 0) this.wake();
    return n;
  }
  writeSpace(ep: number): number {
    if (!this.live(ep) || this.down) return 0;
    const e = this.eps[ep];
    if (e.kind === EndpointKind.Datagram) return e.state === 'free' ? 0 : 1472;
    return e.state === 'connected' && !e.finQueued ? e.txCap - e.tx.length : 0;
  }
  sendTo(ep: number, buf: Uint8Array, off: number, len: number, ip: number, port: number): number {
    if (!this.live(ep) || this.eps[ep].kind !== EndpointKind.Datagram || !this.range(buf, off, len)) return TErr.Invalid;
    if (this.down) return TErr.NetDown;
    const e = this.eps[ep];
    if (len > this.caps.maxDatagram) return TErr.MsgSize;
    const to = ip === this.ip ? this.eps.find((x) => x.kind === EndpointKind.Datagram && x.state === 'open' && x.port === port) : undefined;
    if (to) to.dgrams.push({ data: buf.slice(off, off + len), ip: this.ip, port: e.port });
    this.wake();
    return len;
  }
  readable(ep: number): number {
    if (!this.live(ep)) return 0;
    const e = this.eps[ep];
    if (e.kind === EndpointKind.Datagram) return e.dgrams.length ? e.dgrams[0].data.length : -1;
    return e.rx.length;
  }
  recv(ep: number, buf: Uint8Array, off: number, len: number): number {
    if (!this.live(ep) || this.eps[ep].kind !== EndpointKind.Stream || !this.range(buf, off, len)) return TErr.Invalid;
    if (this.down) return TErr.NetDown;
    const e = this.eps[ep];
    const n = Math.min(len, e.rx.length);
    buf.set(e.rx.splice(0, n), off);
    if (n > 0) this.wake();
    return n;
  }
  recvFrom(ep: number, buf: Uint8Array, off: number, len: number, from: PeerAddress): number {
    if (!this.live(ep) || this.eps[ep].kind !== EndpointKind.Datagram || !this.range(buf, off, len)) return -1;
    const d = this.eps[ep].dgrams.shift();
    if (!d) return -1;
    buf.set(d.data.subarray(0, Math.min(len, d.data.length)), off);
    from.ip = d.ip;
    from.port = d.port;
    return d.data.length;
  }
  unsent(ep: number): number { return this.live(ep) ? this.eps[ep].tx.length : 0; }
  shutdownSend(ep: number): void {
    if (!this.live(ep)) return;
    const e = this.eps[ep];
    if (e.finQueued || e.state !== 'connected') return;
    e.finQueued = true;
    this.wireLog.push('fin ' + ep);
    this.wake();
  }
  abort(ep: number): number {
    if (!this.live(ep)) return 0;
    const e = this.eps[ep];
    const unsent = e.tx.length;
    this.wireLog.push('abort ' + ep);
    for (const c of e.acceptQ) this.resetPair(c, TCause.Reset);
    if (e.state === 'connected' && e.peer && e.peer.state === 'connected') this.pendingEnds.push({ ep: e.peer, cause: TCause.Reset });
    this.fresh(e);
    this.wake();
    return unsent;
  }
  release(ep: number): boolean {
    if (!this.live(ep)) return true;
    const e = this.eps[ep];
    this.wireLog.push('release ' + ep);
    if (e.state !== 'connected') {
      this.fresh(e);
      return true;
    }
    e.released = true;
    e.rx.length = 0;
    this.wake();
    return false;
  }
  setOption(ep: number, opt: number, value: number): boolean {
    if (!this.live(ep) || this.eps[ep].kind !== EndpointKind.Stream) return false;
    this.eps[ep].opts[opt] = value;
    return true;
  }
  localName(ep: number, out: PeerAddress): boolean {
    if (!this.live(ep)) return false;
    const e = this.eps[ep];
    if (e.port === 0) return false;
    out.ip = this.ip;
    out.port = e.port;
    return true;
  }
  peerName(ep: number, out: PeerAddress): boolean {
    if (!this.live(ep)) return false;
    const p = this.eps[ep].peer;
    if (!p) return false;
    out.ip = this.ip;
    out.port = p.port;
    return true;
  }

  pump(): number {
    const all = this.eps.concat(this.raws);
    const now = this.clock.now();
    for (const up of this.linkEvents.splice(0)) this.emit((s) => s.link(up));
    // connection set-up
    for (const c of all) {
      if (c.state !== 'connecting' || c.connectAt > now) continue;
      const l = all.find((x) => x.state === 'listening' && x.port === c.connectPort);
      if (!l || c.connectIp !== this.ip || l.acceptQ.length >= l.backlog) {
        c.state = 'open';
        if (!c.raw) this.emit((s) => s.connectDone(c.id, c.connectIp !== this.ip ? TCause.Timeout : TCause.Refused));
        continue;
      }
      let srv: LEp | undefined;
      if (l.raw) {
        srv = new LEp(1000 + this.raws.length, true, 1 << 20, 1 << 20);
        this.raws.push(srv);
        (l as unknown as { accepted: RawPeer[] }).accepted.push(new RawPeer(this, srv));
      } else {
        srv = this.eps.find((x) => x.state === 'free');
        if (!srv) { c.state = 'open'; continue; }
        this.fresh(srv);
      }
      srv.kind = EndpointKind.Stream;
      srv.state = 'connected';
      srv.port = l.port;
      srv.peer = c;
      c.peer = srv;
      c.state = 'connected';
      if (!l.raw) {
        l.acceptQ.push(srv);
        this.emit((s) => s.acceptable(l.id));
      }
      if (!c.raw) this.emit((s) => s.connectDone(c.id, TCause.None));
    }
    // data, FIN
    for (const e of all) {
      const p = e.peer;
      if (e.state !== 'connected' || !p || p.state !== 'connected' || p.peer !== e) continue;
      if (e.tx.length > 0) {
        const room = p.released ? e.tx.length : p.rxCap - p.rx.length;
        const n = Math.min(room, e.tx.length);
        if (n > 0) {
          const moved = e.tx.splice(0, n);
          if (!p.released) for (const b of moved) p.rx.push(b);
          if (!p.raw && !p.released) this.emit((s) => s.readable(p.id));
          if (e.wantWritable && !e.raw && !e.released) {
            e.wantWritable = false;
            this.emit((s) => s.writable(e.id));
          }
        }
      }
      if (e.finQueued && !e.finSent && e.tx.length === 0) {
        e.finSent = true;
        p.peerFinSeen = true;
        if (!p.raw) this.emit((s) => s.peerFin(p.id));
      }
    }
    // graceful ends (decided for all first: freeing one end must not hide the other's)
    const done = all.filter((e) => e.state === 'connected' && e.finSent && e.peerFinSeen && e.peer && e.peer.finSent);
    for (const e of done) e.state = 'ended';
    for (const e of done) {
      if (e.raw) continue;
      const released = e.released;
      this.emit((s) => s.ended(e.id, TCause.None, 0));
      if (released) this.fresh(e);
    }
    // aborts
    const ends = this.pendingEnds;
    this.pendingEnds = [];
    for (const x of ends) {
      const e = x.ep;
      if (e.state === 'connecting') {
        e.state = 'open';
        if (!e.raw) this.emit((s) => s.connectDone(e.id, x.cause));
        continue;
      }
      if (e.state !== 'connected' && e.state !== 'listening') continue;
      this.endNow(e, x.cause);
    }
    // more to move (a receiver made room, a FIN behind data): due now; else the next connection attempt
    let due = this.hasWork() ? now : -1;
    for (const c of all) if (c.state === 'connecting' && c.connectAt > now && (due < 0 || c.connectAt < due)) due = c.connectAt;
    return due;
  }

  // -------- internals

  private hasWork(): boolean {
    for (const e of this.eps.concat(this.raws)) {
      if (e.state === 'connected' && e.peer && e.peer.state === 'connected' && e.peer.peer === e) {
        if (e.tx.length > 0 && (e.peer.released || e.peer.rx.length < e.peer.rxCap)) return true;
        if (e.finQueued && !e.finSent && e.tx.length === 0) return true;
      }
    }
    return this.pendingEnds.length > 0;
  }

  private endNow(e: LEp, cause: TCause): void {
    const unsent = e.tx.length;
    const released = e.released;
    e.state = 'ended';
    e.rx.length = 0;
    e.tx.length = 0;
    if (!e.raw) {
      this.emit((s) => s.ended(e.id, cause, unsent));
      if (released) this.fresh(e);
    }
  }

  private fresh(e: LEp): void {
    e.state = 'free';
    e.port = 0;
    e.peer = null;
    e.rx = [];
    e.tx = [];
    e.finQueued = false;
    e.finSent = false;
    e.peerFinSeen = false;
    e.released = false;
    e.wantWritable = false;
    e.backlog = 0;
    e.acceptQ = [];
    e.dgrams = [];
    e.opts = [];
    e.rxCap = this.rxCap;
    e.txCap = this.txCap;
  }

  private emit(f: (s: TransportSink) => void): void {
    if (this.sink) f(this.sink);
  }
}
