/**
 * The W5500 model's network side when its PHY sits on an Ethernet wire — a FramePort (sim/net/frame-port.ts): a
 * frame pipe on the virtual clock, or the TAP into a network namespace with the kernel on the far end. Socket 0
 * in MACRAW mode exchanges whole frames with the wire, which is what a MACRAW driver needs; the chip's own TCP/UDP
 * engine is not modelled at frame level (no ARP, IP or TCP of the chip's own on this wire), so on this side a TCP
 * or UDP socket finds nobody: ARP is never answered (TIMEOUT), a LISTEN never gets a connection, datagrams go
 * nowhere.
 *
 * Frames from the wire wait in a queue until the model's next `poll`, as every network → chip event does
 * (network.ts): the model polls only while its link is up, so what arrives while the cable is out waits, up to
 * `queueLimit` frames (the rest are dropped and counted, as a wire without a receiver loses them). A frame that
 * came with a bad FCS is dropped and counted (the MAC checks the CRC).
 */
import type { FramePort } from '../net/frame-port';
import type { Endpoint, Listener, MacrawEvents, MacrawPort, NetSide, TcpConn, TcpEvents, UdpEvents, UdpSock } from './network';

export interface FrameNetOptions {
  /** the model's clock, ms */
  now: () => number;
  /** frames held for the chip at most (default 256) */
  queueLimit?: number;
}

export interface FrameNetCounters {
  /** frames handed to socket 0 */
  toChip: number;
  /** frames socket 0 put on the wire */
  fromChip: number;
  /** frames from the wire with a bad FCS */
  droppedBadFcs: number;
  /** frames from the wire while no MACRAW socket was open */
  droppedClosed: number;
  /** frames from the wire beyond `queueLimit` */
  droppedQueueFull: number;
}

const NOBODY: Listener = { close() { /* nothing listens on this side */ } };
const NOWHERE: UdpSock = { sendTo() { /* no peer speaks UDP to the chip's engine here */ }, close() { /* nothing to release */ } };

export class FrameNet implements NetSide {
  readonly counters: FrameNetCounters = { toChip: 0, fromChip: 0, droppedBadFcs: 0, droppedClosed: 0, droppedQueueFull: 0 };
  private queue: Uint8Array[] = [];
  private times: number[] = [];
  private raw: MacrawEvents | undefined;
  private limit: number;
  private down = false;

  constructor(private port: FramePort, private opts: FrameNetOptions) {
    this.limit = opts.queueLimit ?? 256;
    port.setReceiver((frame, fcsBad) => this.fromWire(frame, fcsBad));
  }

  resolves(): boolean {
    return false;
  }

  /** The chip's own TCP engine has no peer on this side; the model never gets here, as ARP is not answered. */
  tcpConnect(_local: Endpoint, remote: Endpoint, _events: TcpEvents): TcpConn {
    return { remote, send() { /* nobody */ }, fin() { /* nobody */ }, silence() { /* nobody */ }, keepAlive() { /* nobody */ } };
  }

  tcpListen(): Listener {
    return NOBODY;
  }

  udpOpen(_local: Endpoint, _events: UdpEvents): UdpSock {
    return NOWHERE;
  }

  macrawOpen(events: MacrawEvents): MacrawPort {
    this.raw = events;
    const self = this;
    return {
      send(frame: Uint8Array) {
        if (self.down) return;
        self.counters.fromChip++;
        self.port.send(frame);
      },
      close() {
        if (self.raw !== events) return;
        self.raw = undefined;
        // what waited for this socket is gone with it
        self.counters.droppedClosed += self.queue.length;
        self.queue = [];
        self.times = [];
      },
    };
  }

  nextDeadline(): number | undefined {
    return this.times.length ? this.times[0] : undefined;
  }

  poll(nowMs: number): void {
    while (this.times.length && this.times[0] <= nowMs) {
      const f = this.queue.shift() as Uint8Array;
      this.times.shift();
      if (this.raw) {
        this.counters.toChip++;
        this.raw.frame(f);
      } else this.counters.droppedClosed++;
    }
  }

  shutdown(): void {
    this.down = true;
    this.port.setReceiver(undefined);
    this.queue = [];
    this.times = [];
    this.raw = undefined;
  }

  private fromWire(frame: Uint8Array, fcsBad: boolean): void {
    if (this.down) return;
    if (fcsBad) { this.counters.droppedBadFcs++; return; }
    if (!this.raw) { this.counters.droppedClosed++; return; }
    if (this.queue.length >= this.limit) { this.counters.droppedQueueFull++; return; }
    this.queue.push(frame);
    this.times.push(this.opts.now());
  }
}
