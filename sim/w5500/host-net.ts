import * as net from 'node:net';
import type { Endpoint, Listener, NetSide, TcpConn, TcpEvents, UdpEvents, UdpSock } from './network';
import { HostRoutes, type HostRoute } from './host-routes';
import { HostTcpConn, type HostTcpOwner } from './host-tcp';
import { HostUdp, type HostUdpOwner } from './host-udp';

/**
 * The `host` network side: every TCP/UDP hardware socket is a real OS socket on loopback, so the
 * peer of every connection is the kernel's TCP. OS callbacks only queue; the model sees them when it
 * polls, so chip state moves only inside an SPI transaction or an explicit advance.
 */

export interface HostNetOptions {
  /** virtual ↔ loopback address table (default 192.168.1.0/24 ↔ 127.0.0.0/24) */
  routes?: readonly HostRoute[];
  /**
   * the OS address the chip's listening and UDP ports open on. Default: the loopback address the chip's own
   * SIPR maps to (192.168.1.10 → 127.0.0.10), the wildcard 0.0.0.0 while SIPR is 0.0.0.0 (a DHCP client
   * before its lease), 127.0.0.1 for a SIPR no route covers
   */
  listenHost?: string;
  /** the OS port for a chip port (default: the same number; return 0 for an ephemeral port, see `bound()`) */
  hostPort?: (chipPort: number, proto: 'tcp' | 'udp') => number;
  /** bind outgoing connections to the loopback address the chip's own IP maps to, so peers see it (default true) */
  bindLocalAddress?: boolean;
  /** bind the OS port of the chip's Sn_PORT (`hostPort`) as the local port of outgoing connections (default true; false: ephemeral) */
  bindLocalPort?: boolean;
  /** something waits for `poll()`; called from OS callbacks, never from inside a model call */
  onPending?: () => void;
  /** an OS port opened (listening TCP or bound UDP), with its actual port */
  onBound?: (b: HostBinding) => void;
  /** OS errors that map to no chip event (a port already in use, …) */
  onError?: (err: Error) => void;
}

export interface HostBinding {
  proto: 'tcp' | 'udp';
  chipPort: number;
  address: string;
  port: number;
}

export interface Deliverable {
  /** true when nothing is left to deliver */
  deliver(): boolean;
}

interface HwListener {
  accept: (conn: TcpConn) => TcpEvents | undefined;
  open: boolean;
}

interface SharedServer {
  key: string;
  server: net.Server;
  listeners: HwListener[];
  binding?: HostBinding;
}

export class HostNet implements NetSide, HostTcpOwner, HostUdpOwner {
  readonly routes: HostRoutes;
  private listenHost: string | undefined;
  private hostPort: (chipPort: number, proto: 'tcp' | 'udp') => number;
  private pending: Deliverable[] = [];
  private conns = new Set<HostTcpConn>();
  /** per OS address:chip port, the server open while at least one hardware socket listens there */
  private servers = new Map<string, SharedServer>();
  /** the OS port a chip port got last time, so an ephemeral port stays the same when the server reopens */
  private serverPorts = new Map<string, number>();
  private udps = new Set<HostUdp>();
  private bindings: HostBinding[] = [];
  /** OS servers asked to listen whose listen has not completed yet (each settles on 'listening' or 'error') */
  private opening: Promise<void>[] = [];
  /** the last 100 OS errors seen (each also passed to onError) */
  readonly errors: Error[] = [];

  constructor(private opts: HostNetOptions = {}) {
    this.routes = new HostRoutes(opts.routes);
    this.listenHost = opts.listenHost;
    this.hostPort = opts.hostPort ?? ((p) => p);
  }

  resolves(ip: string): boolean {
    return this.routes.toHost(ip) !== undefined;
  }

  tcpConnect(local: Endpoint, remote: Endpoint, events: TcpEvents): TcpConn {
    const host = this.routes.toHost(remote.ip);
    const o: net.NetConnectOpts = { host: host ?? '127.0.0.1', port: remote.port, allowHalfOpen: true };
    if (this.opts.bindLocalAddress !== false) {
      const la = this.routes.toHost(local.ip);
      if (la !== undefined) o.localAddress = la;
    }
    if (this.opts.bindLocalPort !== false && local.port > 0) {
      const lp = this.hostPort(local.port, 'tcp');
      if (lp > 0) o.localPort = lp;
    }
    if (host === undefined) {
      // No such host: the SYN goes nowhere and the model's own retransmission timer ends it in TIMEOUT.
      return new BlackHoleConn(remote);
    }
    const socket = net.connect(o);
    const conn = new HostTcpConn(this, socket, remote, true, events);
    this.conns.add(conn);
    return conn;
  }

  tcpListen(local: Endpoint, accept: (conn: TcpConn) => TcpEvents | undefined): Listener {
    const address = this.localAddress(local.ip);
    const key = address + ':' + local.port;
    let s = this.servers.get(key);
    if (s === undefined) s = this.openServer(key, address, local.port);
    const hw: HwListener = { accept, open: true };
    s.listeners.push(hw);
    const shared = s;
    return {
      close: () => {
        if (!hw.open) return;
        hw.open = false;
        const i = shared.listeners.indexOf(hw);
        if (i >= 0) shared.listeners.splice(i, 1);
        // No hardware socket listens any more: the kernel refuses the next SYN (RST), as the chip does.
        if (shared.listeners.length === 0 && this.servers.get(shared.key) === shared) {
          this.servers.delete(shared.key);
          shared.server.close();
        }
      },
    };
  }

  udpOpen(local: Endpoint, events: UdpEvents): UdpSock {
    const u = new HostUdp(this, local.port, this.hostPort(local.port, 'udp'), this.localAddress(local.ip), events);
    this.udps.add(u);
    return u;
  }

  poll(_nowMs: number): void {
    if (this.pending.length === 0) return;
    const now = this.pending;
    this.pending = [];
    const blocked: Deliverable[] = [];
    for (const d of now) {
      let done = true;
      try {
        done = d.deliver();
      } catch (e) {
        this.error(e instanceof Error ? e : new Error(String(e)));
      }
      if (!done) blocked.push(d);
    }
    // Blocked connections (model RX full) go first next time; new arrivals keep their order behind them.
    if (blocked.length > 0) this.pending = blocked.concat(this.pending);
  }

  /**
   * Resolves once every OS server a LISTEN asked for is listening (or failed), or undefined when none is
   * pending. Node binds a listening socket on a later tick, while the chip is in SOCK_LISTEN as soon as the
   * command is taken; a runner holds the answer to the SPI transaction that issued LISTEN until then, so
   * a SYN the firmware can have caused after seeing SOCK_LISTEN meets a listening port, as on the silicon.
   */
  settled(): Promise<void> | undefined {
    if (this.opening.length === 0) return undefined;
    const all = Promise.all(this.opening).then(() => undefined);
    this.opening = [];
    return all;
  }

  /** is anything waiting for `poll()`? */
  hasPending(): boolean {
    return this.pending.length > 0;
  }

  /** OS ports opened so far for the chip (listening TCP and bound UDP) */
  bound(): readonly HostBinding[] {
    return this.bindings;
  }

  /** the OS address of the chip's listening TCP port or bound UDP port, once it is open */
  hostAddress(proto: 'tcp' | 'udp', chipPort: number): HostBinding | undefined {
    for (let i = this.bindings.length - 1; i >= 0; i--) {
      const b = this.bindings[i];
      if (b.proto === proto && b.chipPort === chipPort) return b;
    }
    return undefined;
  }

  shutdown(): void {
    this.pending = [];
    this.opening = [];
    for (const c of this.conns) c.abort();
    this.conns.clear();
    for (const s of this.servers.values()) s.server.close();
    this.servers.clear();
    for (const u of this.udps) u.close();
    this.udps.clear();
    this.bindings = [];
  }

  // ---- HostTcpOwner

  wake(d: Deliverable): void {
    if (this.pending.indexOf(d) >= 0) return;
    this.pending.push(d);
    if (this.pending.length === 1 && this.opts.onPending) this.opts.onPending();
  }

  forget(conn: HostTcpConn): void {
    this.conns.delete(conn);
  }

  error(err: Error): void {
    this.errors.push(err);
    if (this.errors.length > 100) this.errors.shift();
    if (this.opts.onError) this.opts.onError(err);
  }

  forgetUdp(u: HostUdp): void {
    this.udps.delete(u);
  }

  addBinding(b: HostBinding): void {
    this.bindings.push(b);
    if (this.opts.onBound) this.opts.onBound(b);
  }

  // ----

  /** the OS address standing for the chip's own address `ip` (SIPR) */
  private localAddress(ip: string): string {
    if (this.listenHost !== undefined) return this.listenHost;
    if (ip === '0.0.0.0') return '0.0.0.0';
    return this.routes.toHost(ip) ?? '127.0.0.1';
  }

  private openServer(key: string, address: string, chipPort: number): SharedServer {
    const server = net.createServer({ allowHalfOpen: true });
    const s: SharedServer = { key, server, listeners: [] };
    this.servers.set(key, s);
    server.on('connection', (socket) => this.onIncoming(s, socket));
    let opened!: () => void;
    this.opening.push(new Promise<void>((r) => { opened = r; }));
    server.on('error', (e) => { opened(); this.error(e); });
    const again = this.serverPorts.get(key);
    server.listen(again ?? this.hostPort(chipPort, 'tcp'), address, () => {
      opened();
      if (this.servers.get(key) !== s) { server.close(); return; } // nobody listens any more
      const a = server.address() as net.AddressInfo;
      this.serverPorts.set(key, a.port);
      s.binding = { proto: 'tcp', chipPort, address: a.address, port: a.port };
      this.addBinding(s.binding);
    });
    return s;
  }

  private onIncoming(s: SharedServer, socket: net.Socket): void {
    const remote: Endpoint = { ip: this.routes.toVirtual(socket.remoteAddress ?? '127.0.0.1'), port: socket.remotePort ?? 0 };
    const conn = new HostTcpConn(this, socket, remote, false);
    this.conns.add(conn);
    // The hand-over to a hardware listener waits for poll, ahead of anything the new connection reports.
    this.wake({
      deliver: () => {
        for (const hw of s.listeners.slice()) {
          if (!hw.open) continue;
          const ev = hw.accept(conn);
          if (ev !== undefined) {
            conn.events = ev;
            return true;
          }
        }
        conn.abort();
        return true;
      },
    });
  }
}

/** A connection to an address no route knows: nothing ever answers. */
class BlackHoleConn implements TcpConn {
  constructor(readonly remote: Endpoint) {}
  send(): void {}
  fin(): void {}
  silence(): void {}
  keepAlive(): void {}
}
