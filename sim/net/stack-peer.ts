/**
 * A scripted TCP/IP host on a frame port, on the virtual clock: the project's own stack (firmware/net:
 * Ethernet, ARP, IPv4, TCP) as the engine, driven by a test script — listen, connect, send, FIN, RST —
 * and made to misbehave on cue: a connection falls silent (its segments neither arrive nor leave, as
 * behind a pulled cable), or holds a zero window (it stops reading: its receive buffer fills and it
 * advertises 0, answering probes). Every segment crosses the wire as a frame through ARP, IPv4 and
 * checksums, so the device under test meets real TCP behaviour (retransmission, delayed ACKs, RST
 * for a forgotten connection) with seeded impairments on the pipe.
 *
 * It is a TimedDevice (sim/net/virtual-time.ts): `advance()` runs its timers to the clock's now.
 */
import { NetIf } from '../../firmware/net/iface';
import { ArpState, ArpTiming } from '../../firmware/net/arp-cache';
import { IpProto } from '../../firmware/net/ip-proto';
import { Tcp } from '../../firmware/net/tcp/tcp';
import { defaultTcpConfig } from '../../firmware/net/tcp/config';
import type { TcpConfig, TcpSink } from '../../firmware/net/tcp/config';
import { TcpCause, TcpState } from '../../firmware/net/tcp/constants';
import type { TcpConn } from '../../firmware/net/tcp/conn';
import type { TcpListener } from '../../firmware/net/tcp/listener';
import { MIN_FRAME } from './frame-port';
import type { FramePort } from './frame-port';
import type { TimedDevice } from './virtual-time';

export interface StackPeerOptions {
  now: () => number;
  port: FramePort;
  mac: Uint8Array;
  /** host order */
  ip: number;
  mask: number;
  /** TCP settings (default: the stack's defaults with a 40 ms delayed ACK and a 200 ms minimum RTO, as Linux) */
  tcp?: TcpConfig;
  /** initial sequence numbers (seeded in tests) */
  isn?: () => number;
}

/** one connection as the peer's application sees it */
export class PeerTcp {
  readonly conn: TcpConn;
  /** everything the device sent that the peer read */
  private parts: Uint8Array[] = [];
  private total = 0;
  /** bytes the script asked to send that TCP has not taken yet */
  private out: Uint8Array[] = [];
  private finWanted = false;
  gotFin = false;
  /** the connection ended by an RST from the device (or a timeout: `cause` says) */
  gotRst = false;
  endedCause = -1;
  silent = false;
  zeroWindow = false;
  onData: ((bytes: Uint8Array) => void) | undefined;
  onFin: (() => void) | undefined;
  onEnded: ((cause: number) => void) | undefined;

  constructor(readonly host: StackPeer, conn: TcpConn) {
    this.conn = conn;
    // as the kernel peers (TCP_NODELAY): small segments and ACKs go at once
    conn.setNoDelay(true);
  }

  get state(): TcpState {
    return this.conn.state;
  }

  received(): Uint8Array {
    if (this.parts.length !== 1) {
      const all = new Uint8Array(this.total);
      let at = 0;
      for (const p of this.parts) { all.set(p, at); at += p.length; }
      this.parts = [all];
    }
    return this.parts[0];
  }

  send(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.out.push(new Uint8Array(bytes));
    this.push();
  }

  /** FIN after everything sent so far */
  fin(): void {
    this.finWanted = true;
    this.push();
  }

  /** abort: RST now */
  rst(): void {
    this.out = [];
    this.conn.abort(this.host.now());
  }

  setSilent(on: boolean): void {
    this.silent = on;
  }

  /** stop (true) or resume (false) reading: the receive buffer fills and the window closes */
  setZeroWindow(on: boolean): void {
    this.zeroWindow = on;
    if (!on) this.read();
  }

  /** @internal moves queued bytes into TCP and reads what arrived */
  push(): void {
    const now = this.host.now();
    while (this.out.length > 0) {
      const b = this.out[0];
      const n = this.conn.send(b, 0, b.length, now);
      if (n <= 0) break;
      if (n < b.length) { this.out[0] = b.subarray(n); break; }
      this.out.shift();
    }
    if (this.finWanted && this.out.length === 0 && !this.conn.finQueued && !this.conn.ended) this.conn.shutdownSend(now);
  }

  /** @internal */
  read(): void {
    if (this.zeroWindow) return;
    const n = this.conn.readable();
    if (n <= 0) return;
    const b = new Uint8Array(n);
    this.conn.recv(b, 0, n, this.host.now());
    this.parts.push(b);
    this.total += n;
    if (this.onData) this.onData(b);
  }
}

export class PeerTcpListener {
  readonly conns: PeerTcp[] = [];
  onAccept: ((c: PeerTcp) => void) | undefined;
  constructor(readonly host: StackPeer, readonly l: TcpListener, readonly port: number) {}
  close(): void {
    this.l.close(this.host.now());
  }
}

function tcpPorts(f: Uint8Array): { src: number; dst: number } | undefined {
  if (f.length < 34 || f[12] !== 0x08 || f[13] !== 0x00 || f[23] !== IpProto.TCP) return undefined;
  const t = 14 + (f[14] & 0x0f) * 4;
  if (f.length < t + 4) return undefined;
  return { src: (f[t] << 8) | f[t + 1], dst: (f[t + 2] << 8) | f[t + 3] };
}

export class StackPeer implements TimedDevice {
  readonly nif = new NetIf();
  readonly tcp: Tcp;
  readonly conns: PeerTcp[] = [];
  readonly listeners: PeerTcpListener[] = [];
  /** frames the silence dropped */
  silenced = 0;
  readonly now: () => number;
  private port: FramePort;

  constructor(o: StackPeerOptions) {
    this.now = o.now;
    this.port = o.port;
    const cfg = o.tcp ?? Object.assign(defaultTcpConfig(), { delAck: 40, rtoMin: 200, rtoInit: 1000, maxConns: 64, maxTimeWait: 64 });
    let x = 0x1234567;
    const isn = o.isn ?? (() => { x = (x * 1103515245 + 12345) >>> 0; return x; });
    const self = this;
    const sink: TcpSink = {
      connected(c) { self.find(c)?.push(); },
      acceptable(l) {
        const pl = self.listeners.find((y) => y.l === l);
        for (let c = l.accept(); c; c = l.accept()) {
          const p = new PeerTcp(self, c);
          self.conns.push(p);
          if (pl) { pl.conns.push(p); if (pl.onAccept) pl.onAccept(p); }
          p.push();
          p.read();
        }
      },
      readable(c) { self.find(c)?.read(); },
      peerFin(c) {
        const p = self.find(c);
        if (!p) return;
        p.read();
        p.gotFin = true;
        if (p.onFin) p.onFin();
      },
      writable(c) { self.find(c)?.push(); },
      allAcked() { /* nothing */ },
      ended(c, cause) {
        const p = self.find(c);
        if (!p) return;
        p.read();
        p.endedCause = cause;
        if (cause === TcpCause.Reset || cause === TcpCause.Refused) p.gotRst = true;
        if (p.onEnded) p.onEnded(cause);
      },
    };
    this.tcp = new Tcp(this.nif, cfg, isn, sink);
    this.nif.setMac(o.mac);
    this.nif.setAddress(o.ip, o.mask, 0, this.now());
    this.nif.attach(IpProto.TCP, this.tcp);
    o.port.setReceiver((frame, fcsBad) => {
      if (fcsBad) return;
      if (this.isSilenced(frame, true)) { this.silenced++; return; }
      this.nif.input(frame, frame.length, this.now());
    });
    this.nif.up({
      sendFrame: (buf: Uint8Array, off: number, len: number) => {
        // padded to the 60-byte minimum, as its MAC would
        const f = new Uint8Array(len < MIN_FRAME ? MIN_FRAME : len);
        f.set(buf.subarray(off, off + len));
        if (this.isSilenced(f, false)) { this.silenced++; return; }
        this.port.send(f);
      },
    }, this.now());
  }

  private find(c: TcpConn): PeerTcp | undefined {
    return this.conns.find((p) => p.conn === c);
  }

  private isSilenced(f: Uint8Array, inbound: boolean): boolean {
    if (!this.conns.some((p) => p.silent)) return false;
    const pp = tcpPorts(f);
    if (!pp) return false;
    const local = inbound ? pp.dst : pp.src;
    const remote = inbound ? pp.src : pp.dst;
    return this.conns.some((p) => p.silent && p.conn.localPort === local && p.conn.remotePort === remote);
  }

  listen(port: number, backlog = 16): PeerTcpListener {
    const l = this.tcp.listener();
    const r = l.listen(0, port, backlog);
    if (r !== 0) throw new Error(`peer cannot listen on ${port}: ${r}`);
    const pl = new PeerTcpListener(this, l, port);
    this.listeners.push(pl);
    return pl;
  }

  connect(ip: number, port: number, localPort = 0): PeerTcp {
    const c = this.tcp.conn();
    const r = c.connect(ip, port, localPort, this.now());
    if (r !== 0) throw new Error(`peer cannot connect to port ${port}: ${r}`);
    const p = new PeerTcp(this, c);
    this.conns.push(p);
    return p;
  }

  advance(): void {
    const now = this.now();
    this.nif.poll(now);
    this.tcp.poll(now);
  }

  nextDeadline(): number | undefined {
    let d = this.tcp.nextDeadline();
    const a = this.nif.arp;
    for (let i = 0; i < ArpTiming.ENTRIES; i++) if (a.state[i] === ArpState.PENDING && (d < 0 || a.due[i] < d)) d = a.due[i];
    return d < 0 ? undefined : d;
  }
}
