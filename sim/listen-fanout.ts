/**
 * Several hardware sockets listening on one port (the offload transport's listen backlog) in front
 * of a network side that keeps one chip listener per port: this side keeps them all and hands each
 * SYN to the listener that has waited longest, as the host side's shared server does. Everything
 * else passes through unchanged.
 */
import type {
  Endpoint, Listener, MacrawEvents, MacrawPort, NetSide, TcpConn, TcpEvents, UdpEvents, UdpSock,
} from './w5500/network';

type Accept = (conn: TcpConn) => TcpEvents | undefined;

export class ListenFanout implements NetSide {
  private queues = new Map<string, { accepts: Accept[]; inner: Listener }>();
  constructor(private inner: NetSide) {
    if (inner.macrawOpen) this.macrawOpen = (events: MacrawEvents): MacrawPort => (inner.macrawOpen as (e: MacrawEvents) => MacrawPort)(events);
    if (inner.nextDeadline) this.nextDeadline = () => (inner.nextDeadline as () => number | undefined)();
  }
  macrawOpen?: (events: MacrawEvents) => MacrawPort;
  nextDeadline?: () => number | undefined;

  resolves(ip: string): boolean {
    return this.inner.resolves(ip);
  }
  tcpConnect(local: Endpoint, remote: Endpoint, events: TcpEvents): TcpConn {
    return this.inner.tcpConnect(local, remote, events);
  }
  tcpListen(local: Endpoint, accept: Accept): Listener {
    const k = local.ip + ':' + local.port;
    let q = this.queues.get(k);
    if (!q) {
      const accepts: Accept[] = [];
      const inner = this.inner.tcpListen(local, (conn) => {
        // each listener takes one connection and closes itself (removing it from the queue)
        for (const a of accepts.slice()) {
          const ev = a(conn);
          if (ev) return ev;
        }
        return undefined;
      });
      q = { accepts, inner };
      this.queues.set(k, q);
    }
    const entry = q;
    entry.accepts.push(accept);
    return {
      close: () => {
        const i = entry.accepts.indexOf(accept);
        if (i >= 0) entry.accepts.splice(i, 1);
        if (entry.accepts.length === 0 && this.queues.get(k) === entry) {
          this.queues.delete(k);
          entry.inner.close();
        }
      },
    };
  }
  udpOpen(local: Endpoint, events: UdpEvents): UdpSock {
    return this.inner.udpOpen(local, events);
  }
  poll(nowMs: number): void {
    this.inner.poll(nowMs);
  }
  shutdown(): void {
    this.inner.shutdown();
  }
}
