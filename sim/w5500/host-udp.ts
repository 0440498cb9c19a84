import * as dgram from 'node:dgram';
import type { Endpoint, UdpEvents, UdpSock } from './network';
import type { HostRoutes } from './host-routes';

/**
 * A UDP hardware socket as dgram sockets on loopback. The main socket is bound to the chip's port;
 * datagrams go out through one socket per destination, bound to the same port (SO_REUSEADDR) and
 * connected to that destination, because only a connected UDP socket hears of the ICMP port-unreachable
 * the kernel sends back — which the chip reports as IR.UNREACH with UIPR/UPORTR. The kernel hands a
 * reply from that destination to the connected socket, so both sockets feed the same inbox.
 * A datagram to 255.255.255.255 or to a mapped subnet's broadcast address leaves the main socket for the
 * loopback broadcast address, so every host-side socket bound to the wildcard address on that port gets it
 * (a DHCP server does bind so); it never leaves this machine.
 */

/** the broadcast address of the loopback interface: delivered to every local socket bound to 0.0.0.0 on the port */
const LOOPBACK_BROADCAST = '127.255.255.255';

export interface HostUdpOwner {
  readonly routes: HostRoutes;
  wake(d: { deliver(): boolean }): void;
  error(err: Error): void;
  forgetUdp(u: HostUdp): void;
  addBinding(b: { proto: 'udp'; chipPort: number; address: string; port: number }): void;
}

type Inbound = { kind: 'datagram'; from: Endpoint; bytes: Uint8Array } | { kind: 'unreachable'; to: Endpoint };

/** destinations kept connected at once; the oldest is dropped beyond this */
const MAX_DESTINATIONS = 16;

export class HostUdp implements UdpSock {
  private main: dgram.Socket;
  private port = -1;
  private peers = new Map<string, { sock: dgram.Socket; ready: boolean; queue: Uint8Array[] }>();
  private inbox: Inbound[] = [];
  private closed = false;
  /** broadcasts waiting for the main socket's bind */
  private broadcasts: { port: number; bytes: Uint8Array }[] = [];

  constructor(private owner: HostUdpOwner, chipPort: number, osPort: number, private osHost: string, private events: UdpEvents) {
    this.main = this.socket();
    this.main.on('close', () => owner.forgetUdp(this));
    this.main.bind(osPort, osHost, () => {
      if (this.closed) return;
      const a = this.main.address();
      this.port = a.port;
      owner.addBinding({ proto: 'udp', chipPort, address: a.address, port: a.port });
      this.main.setBroadcast(true);
      for (const [key, p] of this.peers) this.connectPeer(key, p);
      for (const b of this.broadcasts.splice(0)) this.main.send(b.bytes, b.port, LOOPBACK_BROADCAST);
    });
  }

  sendTo(to: Endpoint, bytes: Uint8Array): void {
    if (this.closed) return;
    if (this.owner.routes.isBroadcast(to.ip)) {
      const b = { port: to.port, bytes: new Uint8Array(bytes) };
      if (this.port >= 0) this.main.send(b.bytes, b.port, LOOPBACK_BROADCAST);
      else this.broadcasts.push(b);
      return;
    }
    const host = this.owner.routes.toHost(to.ip);
    if (host === undefined) return;
    const key = `${host}:${to.port}`;
    let p = this.peers.get(key);
    if (p === undefined) {
      if (this.peers.size >= MAX_DESTINATIONS) {
        const [oldKey, old] = this.peers.entries().next().value as [string, { sock: dgram.Socket }];
        this.peers.delete(oldKey);
        closeQuietly(old.sock);
      }
      p = { sock: this.socket(to), ready: false, queue: [] };
      this.peers.set(key, p);
      if (this.port >= 0) this.connectPeer(key, p);
    }
    const copy = new Uint8Array(bytes);
    if (p.ready) p.sock.send(copy);
    else p.queue.push(copy);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.inbox.length = 0;
    for (const p of this.peers.values()) closeQuietly(p.sock);
    this.peers.clear();
    closeQuietly(this.main);
  }

  deliver(): boolean {
    while (this.inbox.length > 0 && !this.closed) {
      const e = this.inbox.shift()!;
      if (e.kind === 'datagram') this.events.datagram(e.from, e.bytes);
      else if (this.events.unreachable) this.events.unreachable(e.to);
    }
    return true;
  }

  private socket(peer?: Endpoint): dgram.Socket {
    const sock = dgram.createSocket({ type: 'udp4', reuseAddr: true });
    sock.on('message', (msg, rinfo) => {
      if (this.closed) return;
      this.push({ kind: 'datagram', from: { ip: this.owner.routes.toVirtual(rinfo.address), port: rinfo.port }, bytes: new Uint8Array(msg) });
    });
    sock.on('error', (e: NodeJS.ErrnoException) => {
      if (this.closed) return;
      if (peer !== undefined && e.code === 'ECONNREFUSED') this.push({ kind: 'unreachable', to: peer });
      else this.owner.error(e);
    });
    return sock;
  }

  private connectPeer(key: string, p: { sock: dgram.Socket; ready: boolean; queue: Uint8Array[] }): void {
    const i = key.lastIndexOf(':');
    const host = key.slice(0, i);
    const port = Number(key.slice(i + 1));
    p.sock.bind(this.port, this.osHost, () => {
      p.sock.connect(port, host, () => {
        if (this.closed || this.peers.get(key) !== p) return;
        p.ready = true;
        for (const b of p.queue) p.sock.send(b);
        p.queue = [];
      });
    });
  }

  private push(e: Inbound): void {
    this.inbox.push(e);
    this.owner.wake(this);
  }
}

function closeQuietly(s: dgram.Socket): void {
  try {
    s.close();
  } catch {
    // already closed
  }
}
