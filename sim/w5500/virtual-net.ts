/**
 * Scripted in-memory network behind the W5500 model, on the model's clock. Every segment takes `latencyMs`
 * one way; events are queued and delivered in time order (ties in the order they were caused) when the
 * model polls, so runs are deterministic. Tests drive peers (listen, connect, send, FIN, RST, go silent,
 * hold a zero window, refuse) and read what they received.
 */
import type {
  Endpoint, Listener, MacrawEvents, MacrawPort, NetSide, TcpConn, TcpEvents, UdpEvents, UdpSock,
} from './network';
import { Scheduler } from '../net/scheduler';

export interface VirtualNetOptions {
  /** the run's clock (the same one the model reads) */
  now: () => number;
  /** one-way delay of every segment, ms (default 0.5) */
  latencyMs?: number;
  /** a datagram to a port nobody listens on comes back as ICMP port unreachable, as from a Linux host (default true) */
  icmpUnreachable?: boolean;
  /** largest TCP segment a peer sends (default 1460) */
  mss?: number;
  /** keep `wire`, the log of every segment (default true; long benchmark runs may turn it off) */
  wireLog?: boolean;
}

export type PeerState =
  | 'SYN_SENT' | 'ESTABLISHED' | 'CLOSE_WAIT' | 'FIN_WAIT' | 'LAST_ACK' | 'TIME_WAIT' | 'CLOSED' | 'RESET' | 'REFUSED';

/** a log line of the virtual wire, for tests that assert what crossed it */
export interface WireEvent {
  t: number;
  /** 'chip>peer' or 'peer>chip' */
  dir: string;
  what: string;
  peer: string;
  n?: number;
}

function key(ep: Endpoint): string {
  return ep.ip + ':' + ep.port;
}
function bytesOf(b: Uint8Array | string): Uint8Array {
  return typeof b === 'string' ? new TextEncoder().encode(b) : b;
}

/** One TCP connection as the peer sees it. */
export class VTcpPeer {
  /** the peer's own endpoint */
  readonly local: Endpoint;
  /** the chip's endpoint */
  readonly remote: Endpoint;
  state: PeerState;
  /** count of bytes the chip sent that this peer has taken */
  receivedBytes = 0;
  private parts: Uint8Array[] = [];
  gotFin = false;
  /** the chip answered one of our segments with RST (after CLOSE, a timeout or a chip reset) */
  gotRst = false;
  /** our FIN reached the chip */
  finDelivered = false;
  keepAlives = 0;
  retransmits = 0;
  /** the chip's last reported receive window (TcpConn.window) */
  chipWindow: number | undefined;
  /** per-peer one-way latency; undefined = the network's */
  latencyMs: number | undefined;
  onData: ((bytes: Uint8Array) => void) | undefined;
  onFin: (() => void) | undefined;

  /** internal: the chip's events sink and flags */
  chip: TcpEvents | undefined;
  chipForgot = false;
  private silentFlag = false;
  private zeroWin = false;
  private inbox: ({ kind: 'data'; bytes: Uint8Array } | { kind: 'fin' })[] = [];
  private net: VirtualNet;

  constructor(net: VirtualNet, local: Endpoint, remote: Endpoint, state: PeerState) {
    this.net = net;
    this.local = local;
    this.remote = remote;
    this.state = state;
  }

  get name(): string {
    return key(this.local);
  }
  /** what the chip sent (and was not yet taken), in order */
  get received(): Uint8Array {
    if (this.parts.length !== 1) {
      let n = 0;
      for (const p of this.parts) n += p.length;
      const all = new Uint8Array(n);
      let at = 0;
      for (const p of this.parts) { all.set(p, at); at += p.length; }
      this.parts = [all];
    }
    return this.parts[0];
  }
  /** everything received so far, as text */
  text(): string {
    return new TextDecoder().decode(this.received);
  }
  /** returns and forgets what was received */
  take(): Uint8Array {
    const r = this.received;
    this.parts = [];
    return r;
  }
  get silent(): boolean {
    return this.silentFlag;
  }
  /** a silent peer answers nothing (cable cut on its side): the chip retransmits and then times out */
  setSilent(on: boolean): void {
    this.silentFlag = on;
    if (!on) this.drain();
  }
  get zeroWindow(): boolean {
    return this.zeroWin;
  }
  /** hold a zero receive window: the chip's data is neither taken nor acknowledged; probes are answered */
  setZeroWindow(on: boolean): void {
    this.zeroWin = on;
    if (!on) this.drain();
  }

  send(data: Uint8Array | string): void {
    const bytes = bytesOf(data).slice();
    if (this.state !== 'ESTABLISHED' && this.state !== 'CLOSE_WAIT' && this.state !== 'SYN_SENT') {
      throw new Error('virtual peer ' + this.name + ' cannot send in ' + this.state);
    }
    // segments of at most one MSS, as a TCP stack sends them
    const mss = this.net.mss;
    for (let i = 0; i < bytes.length; i += mss) {
      const seg = bytes.subarray(i, i + mss);
      this.toChip('data', seg.length, (ev) => ev.data(seg));
    }
  }
  /** our FIN (half-close), after everything sent so far */
  fin(): void {
    if (this.state === 'ESTABLISHED' || this.state === 'SYN_SENT') this.state = 'FIN_WAIT';
    else if (this.state === 'CLOSE_WAIT') this.state = 'LAST_ACK';
    else return;
    this.toChip('FIN', undefined, (ev) => ev.fin(), () => {
      this.finDelivered = true;
      if (this.state === 'LAST_ACK') this.state = 'CLOSED';
    });
  }
  /** abort with RST */
  rst(): void {
    if (this.state === 'CLOSED' || this.state === 'RESET' || this.state === 'REFUSED') return;
    this.state = 'RESET';
    this.toChip('RST', undefined, (ev) => ev.reset());
  }

  private lat(): number {
    return this.latencyMs !== undefined ? this.latencyMs : this.net.latencyMs;
  }

  /** a segment from the peer; a chip that forgot the connection answers it with RST */
  private toChip(what: string, n: number | undefined, deliver: (ev: TcpEvents) => void, delivered?: () => void): void {
    const t = this.net.testNow() + this.lat();
    this.net.log({ t, dir: 'peer>chip', what, peer: this.name, n });
    this.net.at(t, () => {
      if (this.chipForgot || !this.chip) {
        if (what === 'RST') return;
        this.net.at(t + this.lat(), () => {
          this.gotRst = true;
          this.state = 'RESET';
          this.net.log({ t: t + this.lat(), dir: 'chip>peer', what: 'RST', peer: this.name });
        });
        return;
      }
      deliver(this.chip);
      if (delivered) delivered();
    });
  }

  /** internal: the chip's side of this connection */
  conn(): TcpConn {
    const self = this;
    const net = this.net;
    const arrive = (fn: () => void) => net.at(net.chipNow() + self.lat(), fn);
    return {
      remote: this.local,
      send(bytes: Uint8Array) {
        const copy = bytes.slice();
        net.log({ t: net.chipNow() + self.lat(), dir: 'chip>peer', what: 'data', peer: self.name, n: copy.length });
        arrive(() => { self.inbox.push({ kind: 'data', bytes: copy }); self.drain(); });
      },
      fin() {
        net.log({ t: net.chipNow() + self.lat(), dir: 'chip>peer', what: 'FIN', peer: self.name });
        arrive(() => { self.inbox.push({ kind: 'fin' }); self.drain(); });
      },
      silence() {
        // nothing crosses the wire; the RST shows in the log when the peer's next segment meets it
        self.chipForgot = true;
      },
      keepAlive() {
        net.log({ t: net.chipNow() + self.lat(), dir: 'chip>peer', what: 'keep-alive', peer: self.name });
        arrive(() => {
          if (self.silentFlag) return;
          self.keepAlives++;
          self.ackBack(0);
        });
      },
      retransmit() {
        arrive(() => {
          if (self.silentFlag) return;
          self.retransmits++;
          self.ackBack(0);
        });
      },
      window(free: number) {
        self.chipWindow = free;
      },
    };
  }

  /** internal: take what the window and liveness allow, acknowledging it */
  drain(): void {
    while (this.inbox.length > 0 && !this.silentFlag && !this.zeroWin) {
      const seg = this.inbox.shift()!;
      if (seg.kind === 'data') {
        this.parts.push(seg.bytes);
        this.receivedBytes += seg.bytes.length;
        this.ackBack(seg.bytes.length);
        if (this.onData) this.onData(seg.bytes);
      } else {
        this.gotFin = true;
        if (this.state === 'ESTABLISHED') this.state = 'CLOSE_WAIT';
        else if (this.state === 'FIN_WAIT') this.state = 'TIME_WAIT';
        const t = this.net.testNow() + this.lat();
        this.net.at(t, () => {
          if (this.chip && !this.chipForgot) { this.net.log({ t, dir: 'peer>chip', what: 'ACK of FIN', peer: this.name }); this.chip.finAcked(); }
        });
        if (this.onFin) this.onFin();
      }
    }
  }

  private ackBack(n: number): void {
    const t = this.net.testNow() + this.lat();
    this.net.at(t, () => {
      if (this.chip && !this.chipForgot) this.chip.acked(n);
    });
  }
}

/** A peer listening for the chip's CONNECT. */
export class VTcpListener {
  readonly local: Endpoint;
  /** connections accepted, oldest first */
  readonly accepted: VTcpPeer[] = [];
  /** answer SYNs with RST */
  refuse = false;
  /** drop SYNs without an answer (the chip retransmits and times out) */
  silent = false;
  onAccept: ((peer: VTcpPeer) => void) | undefined;
  closed = false;
  private net: VirtualNet;
  constructor(net: VirtualNet, local: Endpoint) {
    this.net = net;
    this.local = local;
  }
  close(): void {
    this.closed = true;
    this.net.dropListener(this);
  }
}

/** A UDP endpoint on the virtual network. */
export class VUdpPeer {
  readonly local: Endpoint;
  readonly received: { from: Endpoint; bytes: Uint8Array }[] = [];
  private net: VirtualNet;
  constructor(net: VirtualNet, local: Endpoint) {
    this.net = net;
    this.local = local;
  }
  sendTo(to: Endpoint, data: Uint8Array | string): void {
    this.net.udpFromPeer(this.local, to, bytesOf(data).slice());
  }
}

export class VirtualNet implements NetSide {
  latencyMs: number;
  icmpUnreachable: boolean;
  wireLog: boolean;
  mss: number;
  /** every segment that crossed the virtual wire */
  readonly wire: WireEvent[] = [];
  /** frames the chip sent on its MACRAW socket */
  readonly framesOut: Uint8Array[] = [];

  private now: () => number;
  private q = new Scheduler();
  private t: number;
  private unreachable = new Set<string>();
  private listeners = new Map<string, VTcpListener>();
  /** per ip:port, the chip's listening sockets, longest waiting first (the offload transport keeps a backlog of several) */
  private chipListeners = new Map<string, Array<(conn: TcpConn) => TcpEvents | undefined>>();
  private udpPeers = new Map<string, VUdpPeer>();
  private chipUdp = new Map<string, UdpEvents>();
  private macraw: MacrawEvents | undefined;
  private down = false;
  private delivering = false;

  constructor(opts: VirtualNetOptions) {
    this.now = opts.now;
    this.latencyMs = opts.latencyMs !== undefined ? opts.latencyMs : 0.5;
    this.icmpUnreachable = opts.icmpUnreachable !== false;
    this.wireLog = opts.wireLog !== false;
    this.mss = opts.mss || 1460;
    this.t = opts.now();
  }

  // ───────────── scripting surface for tests ─────────────

  /** ARP for `ip` goes unanswered (true) or is answered again (false) */
  setUnreachable(ip: string, on = true): void {
    if (on) this.unreachable.add(ip); else this.unreachable.delete(ip);
  }
  /** a peer that accepts the chip's CONNECTs to `local` */
  listen(local: Endpoint): VTcpListener {
    const l = new VTcpListener(this, local);
    this.listeners.set(key(local), l);
    return l;
  }
  /** a peer at `from` connects to the chip's listening socket at `to` */
  connect(from: Endpoint, to: Endpoint): VTcpPeer {
    const peer = new VTcpPeer(this, from, to, 'SYN_SENT');
    const lat = this.latencyMs;
    const t = this.testNow() + lat;
    this.log({ t, dir: 'peer>chip', what: 'SYN', peer: key(from) });
    this.at(t, () => {
      const ev = this.offerToListeners(key(to), peer.conn());
      if (!ev) {
        this.at(t + lat, () => { peer.state = 'REFUSED'; peer.gotRst = true; this.log({ t: t + lat, dir: 'chip>peer', what: 'RST', peer: key(from) }); });
        return;
      }
      peer.chip = ev;
      this.at(t + lat, () => { if (peer.state === 'SYN_SENT') peer.state = 'ESTABLISHED'; });
    });
    return peer;
  }
  udpPeer(local: Endpoint): VUdpPeer {
    const p = new VUdpPeer(this, local);
    this.udpPeers.set(key(local), p);
    return p;
  }
  /** a frame arrives at the chip's PHY (MACRAW) */
  injectFrame(frame: Uint8Array): void {
    const f = frame.slice();
    this.at(this.testNow() + this.latencyMs, () => { if (this.macraw) this.macraw.frame(f); });
  }
  /** events still queued */
  pending(): number {
    return this.q.pending();
  }

  // ───────────── NetSide ─────────────

  resolves(ip: string): boolean {
    return !this.unreachable.has(ip);
  }

  tcpConnect(local: Endpoint, remote: Endpoint, events: TcpEvents): TcpConn {
    const lat = this.latencyMs;
    const t = this.t;
    const l = this.listeners.get(key(remote));
    const peer = new VTcpPeer(this, remote, local, 'SYN_SENT');
    peer.chip = events;
    const conn = peer.conn();
    this.log({ t: t + lat, dir: 'chip>peer', what: 'SYN', peer: key(remote) });
    if (l && l.silent) { peer.setSilent(true); return conn; }
    if (!l || l.refuse || l.closed) {
      peer.state = 'CLOSED';
      this.at(t + 2 * lat, () => { this.log({ t: t + 2 * lat, dir: 'peer>chip', what: 'RST', peer: key(remote) }); events.refused(); });
      return conn;
    }
    this.at(t + lat, () => {
      peer.state = 'ESTABLISHED';
      l.accepted.push(peer);
      if (l.onAccept) l.onAccept(peer);
    });
    this.at(t + 2 * lat, () => {
      if (peer.chipForgot) return;
      this.log({ t: t + 2 * lat, dir: 'peer>chip', what: 'SYN/ACK', peer: key(remote) });
      events.connected();
    });
    return conn;
  }

  tcpListen(local: Endpoint, accept: (conn: TcpConn) => TcpEvents | undefined): Listener {
    const k = key(local);
    let queue = this.chipListeners.get(k);
    if (!queue) {
      queue = [];
      this.chipListeners.set(k, queue);
    }
    queue.push(accept);
    const self = this;
    return {
      close() {
        const q = self.chipListeners.get(k);
        if (!q) return;
        const i = q.indexOf(accept);
        if (i >= 0) q.splice(i, 1);
        if (q.length === 0) self.chipListeners.delete(k);
      },
    };
  }

  /** each SYN goes to the listener that has waited longest, as on the host side; a listener that declines passes it on */
  private offerToListeners(k: string, conn: TcpConn): TcpEvents | undefined {
    const q = this.chipListeners.get(k);
    if (!q) return undefined;
    // An accepting listener closes itself (and leaves the queue) inside accept, so walk a copy.
    for (const accept of q.slice()) {
      const ev = accept(conn);
      if (ev) return ev;
    }
    return undefined;
  }

  udpOpen(local: Endpoint, events: UdpEvents): UdpSock {
    const k = key(local);
    this.chipUdp.set(k, events);
    const self = this;
    return {
      sendTo(to: Endpoint, bytes: Uint8Array) {
        const copy = bytes.slice();
        const t = self.t + self.latencyMs;
        self.log({ t, dir: 'chip>peer', what: 'datagram', peer: key(to), n: copy.length });
        self.at(t, () => {
          if (to.ip === '255.255.255.255') {
            self.udpPeers.forEach((p) => { if (p.local.port === to.port) p.received.push({ from: local, bytes: copy }); });
            return;
          }
          const p = self.udpPeers.get(key(to));
          if (p) { p.received.push({ from: local, bytes: copy }); return; }
          if (!self.icmpUnreachable || self.unreachable.has(to.ip)) return;
          self.at(t + self.latencyMs, () => {
            self.log({ t: t + self.latencyMs, dir: 'peer>chip', what: 'ICMP unreachable', peer: key(to) });
            if (events.unreachable) events.unreachable(to);
          });
        });
      },
      close() { if (self.chipUdp.get(k) === events) self.chipUdp.delete(k); },
    };
  }

  macrawOpen(events: MacrawEvents): MacrawPort {
    this.macraw = events;
    const self = this;
    return {
      send(frame: Uint8Array) { self.framesOut.push(frame.slice()); self.log({ t: self.t, dir: 'chip>peer', what: 'frame', peer: 'wire', n: frame.length }); },
      close() { if (self.macraw === events) self.macraw = undefined; },
    };
  }

  nextDeadline(): number | undefined {
    return this.q.next();
  }

  poll(nowMs: number): void {
    if (this.down) return;
    if (nowMs > this.t) this.t = nowMs;
    for (;;) {
      const e = this.q.take(nowMs);
      if (!e) return;
      if (e.at > this.t) this.t = e.at;
      this.delivering = true;
      try { e.fn(); } finally { this.delivering = false; }
    }
  }

  shutdown(): void {
    this.down = true;
    this.q.clear();
  }

  // ───────────── internals shared with peers ─────────────

  /** time of chip-caused events: the model polls before it acts, so this is the chip's time */
  chipNow(): number {
    return this.t;
  }
  /** time of test-caused events (and of peers reacting inside a delivery) */
  testNow(): number {
    return this.delivering ? this.t : Math.max(this.t, this.now());
  }
  at(t: number, fn: () => void): void {
    this.q.at(t, fn);
  }
  log(e: WireEvent): void {
    if (!this.wireLog) return;
    if (e.n === undefined) delete e.n;
    this.wire.push(e);
  }
  dropListener(l: VTcpListener): void {
    if (this.listeners.get(key(l.local)) === l) this.listeners.delete(key(l.local));
  }
  udpFromPeer(from: Endpoint, to: Endpoint, bytes: Uint8Array): void {
    const t = this.testNow() + this.latencyMs;
    this.log({ t, dir: 'peer>chip', what: 'datagram', peer: key(from), n: bytes.length });
    this.at(t, () => {
      let ev = this.chipUdp.get(key(to));
      if (!ev) this.chipUdp.forEach((e, k) => { if (!ev && k.endsWith(':' + to.port) && (to.ip === '255.255.255.255' || k.startsWith('0.0.0.0:'))) ev = e; });
      if (ev) ev.datagram(from, bytes);
    });
  }
}
