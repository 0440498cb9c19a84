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
/** a copy of the bytes, or a string's UTF-8 bytes (Espruino has no TextEncoder) */
function bytesOf(b: Uint8Array | string): Uint8Array {
  if (typeof b !== 'string') return new Uint8Array(b);
  const out: number[] = [];
  for (let i = 0; i < b.length; i++) {
    let c = b.charCodeAt(i);
    if (c >= 0xd800 && c < 0xdc00 && i + 1 < b.length) c = 0x10000 + ((c - 0xd800) << 10) + (b.charCodeAt(++i) - 0xdc00);
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  return new Uint8Array(out);
}

/** UTF-8 bytes as a string (Espruino has no TextDecoder) */
function textOf(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) {
    const c = b[i];
    let cp = c;
    if (c >= 0xf0 && i + 3 < b.length) { cp = ((c & 7) << 18) | ((b[i + 1] & 63) << 12) | ((b[i + 2] & 63) << 6) | (b[i + 3] & 63); i += 3; }
    else if (c >= 0xe0 && i + 2 < b.length) { cp = ((c & 15) << 12) | ((b[i + 1] & 63) << 6) | (b[i + 2] & 63); i += 2; }
    else if (c >= 0xc0 && i + 1 < b.length) { cp = ((c & 31) << 6) | (b[i + 1] & 63); i += 1; }
    if (cp >= 0x10000) { cp -= 0x10000; s += String.fromCharCode(0xd800 + (cp >> 10), 0xdc00 + (cp & 1023)); }
    else s += String.fromCharCode(cp);
  }
  return s;
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
    return textOf(this.received);
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
    const bytes = bytesOf(data);
    if (this.state !== 'ESTABLISHED' && this.state !== 'CLOSE_WAIT' && this.state !== 'SYN_SENT') {
      throw new Error('virtual peer ' + this.name + ' cannot send in ' + this.state);
    }
    // segments of at most one MSS, as a TCP stack sends them
    const mss = this.net.mss;
    for (let i = 0; i < bytes.length; i += mss) {
      const seg = bytes.subarray(i, Math.min(i + mss, bytes.length)); // Espruino does not clamp the end
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
        const copy = new Uint8Array(bytes);
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
    this.net.udpFromPeer(this.local, to, bytesOf(data));
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
  // tables keyed by address or ip:port (plain objects: Espruino has no Map or Set)
  private unreachable: Record<string, boolean> = {};
  private listeners: Record<string, VTcpListener | undefined> = {};
  /** per ip:port, the chip's listening sockets, longest waiting first (the offload transport keeps a backlog of several) */
  private chipListeners: Record<string, ((conn: TcpConn) => TcpEvents | undefined)[] | undefined> = {};
  private udpPeers: Record<string, VUdpPeer | undefined> = {};
  private chipUdp: Record<string, UdpEvents | undefined> = {};
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
  setUnreachable(ip: string, on?: boolean): void {
    if (on !== false) this.unreachable[ip] = true; else delete this.unreachable[ip];
  }
  /** a peer that accepts the chip's CONNECTs to `local` */
  listen(local: Endpoint): VTcpListener {
    const l = new VTcpListener(this, local);
    this.listeners[key(local)] = l;
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
    this.udpPeers[key(local)] = p;
    return p;
  }
  /** a frame arrives at the chip's PHY (MACRAW) */
  injectFrame(frame: Uint8Array): void {
    const f = new Uint8Array(frame);
    this.at(this.testNow() + this.latencyMs, () => { if (this.macraw) this.macraw.frame(f); });
  }
  /** events still queued */
  pending(): number {
    return this.q.pending();
  }

  // ───────────── NetSide ─────────────

  resolves(ip: string): boolean {
    return !this.unreachable[ip];
  }

  tcpConnect(local: Endpoint, remote: Endpoint, events: TcpEvents): TcpConn {
    const lat = this.latencyMs;
    const t = this.t;
    const l = this.listeners[key(remote)];
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
    let queue = this.chipListeners[k];
    if (!queue) {
      queue = [];
      this.chipListeners[k] = queue;
    }
    queue.push(accept);
    const self = this;
    return {
      close() {
        const q = self.chipListeners[k];
        if (!q) return;
        const i = q.indexOf(accept);
        if (i >= 0) q.splice(i, 1);
        if (q.length === 0) delete self.chipListeners[k];
      },
    };
  }

  /** each SYN goes to the listener that has waited longest, as on the host side; a listener that declines passes it on */
  private offerToListeners(k: string, conn: TcpConn): TcpEvents | undefined {
    const q = this.chipListeners[k];
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
    this.chipUdp[k] = events;
    const self = this;
    return {
      sendTo(to: Endpoint, bytes: Uint8Array) {
        const copy = new Uint8Array(bytes);
        const t = self.t + self.latencyMs;
        self.log({ t, dir: 'chip>peer', what: 'datagram', peer: key(to), n: copy.length });
        self.at(t, () => {
          if (to.ip === '255.255.255.255') {
            const keys = Object.keys(self.udpPeers);
            for (let i = 0; i < keys.length; i++) {
              const p = self.udpPeers[keys[i]];
              if (p && p.local.port === to.port) p.received.push({ from: local, bytes: copy });
            }
            return;
          }
          const p = self.udpPeers[key(to)];
          if (p) { p.received.push({ from: local, bytes: copy }); return; }
          if (!self.icmpUnreachable || self.unreachable[to.ip]) return;
          self.at(t + self.latencyMs, () => {
            self.log({ t: t + self.latencyMs, dir: 'peer>chip', what: 'ICMP unreachable', peer: key(to) });
            if (events.unreachable) events.unreachable(to);
          });
        });
      },
      close() { if (self.chipUdp[k] === events) delete self.chipUdp[k]; },
    };
  }

  macrawOpen(events: MacrawEvents): MacrawPort {
    this.macraw = events;
    const self = this;
    return {
      send(frame: Uint8Array) { self.framesOut.push(new Uint8Array(frame)); self.log({ t: self.t, dir: 'chip>peer', what: 'frame', peer: 'wire', n: frame.length }); },
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
    if (this.listeners[key(l.local)] === l) delete this.listeners[key(l.local)];
  }
  udpFromPeer(from: Endpoint, to: Endpoint, bytes: Uint8Array): void {
    const t = this.testNow() + this.latencyMs;
    this.log({ t, dir: 'peer>chip', what: 'datagram', peer: key(from), n: bytes.length });
    this.at(t, () => {
      let ev = this.chipUdp[key(to)];
      if (!ev) {
        // a broadcast reaches the chip's socket on that port; a socket bound to 0.0.0.0 takes any address
        const keys = Object.keys(this.chipUdp);
        const port = ':' + to.port;
        for (let i = 0; i < keys.length && !ev; i++) {
          const k = keys[i];
          const bound = k.substring(k.length - port.length) === port;
          if (bound && (to.ip === '255.255.255.255' || k.substring(0, 8) === '0.0.0.0:')) ev = this.chipUdp[k];
        }
      }
      if (ev) ev.datagram(from, bytes);
    });
  }
}
