import type { Socket } from 'node:net';
import type { Endpoint, TcpConn, TcpEvents } from './network';

/**
 * One hardware TCP socket carried by a real OS socket on loopback. OS events become entries of this
 * connection's inbox; `deliver()` hands them to the chip model in order when the network side is
 * polled, so the model never changes state outside an SPI transaction or an explicit advance.
 */

type Inbound =
  | { kind: 'connected' }
  | { kind: 'refused' }
  | { kind: 'data'; bytes: Uint8Array }
  | { kind: 'acked'; n: number }
  | { kind: 'fin' }
  | { kind: 'finAcked' }
  | { kind: 'reset' };

/** what a connection needs from the network side that owns it */
export interface HostTcpOwner {
  /** this connection has something to deliver (called from OS callbacks, never from a model call's stack) */
  wake(conn: HostTcpConn): void;
  /** the OS socket is gone for good */
  forget(conn: HostTcpConn): void;
  /** an OS error that maps to no chip event */
  error(err: Error): void;
}

export class HostTcpConn implements TcpConn {
  /** undefined until a hardware listener has taken an accepted connection */
  events: TcpEvents | undefined;
  private inbox: Inbound[] = [];
  private connected: boolean;
  private finSent = false;
  private silenced = false;
  /** reset, refused or destroyed: nothing more reaches the model */
  private dead = false;
  private paused = false;
  /** the model said its RX buffer is full */
  private windowShut = false;
  /** the model took only part of some data (back-pressure through data()'s return value) */
  private held = false;

  constructor(
    private owner: HostTcpOwner,
    readonly socket: Socket,
    readonly remote: Endpoint,
    outgoing: boolean,
    events?: TcpEvents,
  ) {
    this.events = events;
    this.connected = !outgoing;
    socket.setNoDelay(true);
    if (outgoing) socket.once('connect', () => { this.connected = true; this.push({ kind: 'connected' }); });
    socket.on('data', (b: Buffer) => this.onData(b));
    socket.on('end', () => this.onEnd());
    socket.on('finish', () => { if (!this.silenced) this.push({ kind: 'finAcked' }); });
    socket.on('error', (e: NodeJS.ErrnoException) => this.onError(e));
    socket.on('close', () => { this.dead = true; this.owner.forget(this); });
  }

  /** `silence()` was called: the chip forgot this connection */
  get isSilenced(): boolean {
    return this.silenced;
  }

  // ---- chip → network

  send(bytes: Uint8Array): void {
    if (this.silenced || this.finSent || this.dead || bytes.length === 0) return;
    const n = bytes.length;
    // The write callback is as far as the OS lets us see an acknowledgement: the kernel has the bytes.
    this.socket.write(new Uint8Array(bytes), (err) => { if (!err) this.push({ kind: 'acked', n }); });
  }

  fin(): void {
    if (this.silenced || this.finSent || this.dead) return;
    this.finSent = true;
    this.socket.end();
  }

  silence(): void {
    if (this.silenced) return;
    this.silenced = true;
    this.inbox.length = 0;
    // Keep the OS socket, answer the peer's next segment (data or FIN) with RST as the chip would.
    this.windowShut = false;
    this.held = false;
    this.flow();
  }

  keepAlive(): void {
    // The kernel peer answers every probe while the connection is up.
    if (this.silenced || this.dead || !this.connected) return;
    this.push({ kind: 'acked', n: 0 });
  }

  retransmit(): void {
    // The kernel retransmits for itself; a live connection answering the chip's timer is a peer that is
    // still there (possibly holding a zero window), so the chip must not give up on it.
    if (this.silenced || this.dead || !this.connected) return;
    this.push({ kind: 'acked', n: 0 });
  }

  window(free: number): void {
    // The chip's RX buffer is full: stop reading so the kernel's window closes towards the peer.
    if (this.silenced || this.dead) return;
    this.windowShut = free <= 0;
    this.flow();
  }

  private flow(): void {
    const hold = this.windowShut || this.held;
    if (hold && !this.paused) { this.paused = true; this.socket.pause(); }
    else if (!hold && this.paused) { this.paused = false; this.socket.resume(); }
  }

  // ---- OS → chip

  private onData(b: Buffer): void {
    if (this.silenced) { this.abort(); return; }
    this.push({ kind: 'data', bytes: new Uint8Array(b) });
  }

  private onEnd(): void {
    if (this.silenced) { this.abort(); return; }
    if (this.finSent || this.socket.writableEnded || this.socket.destroyed) { this.push({ kind: 'fin' }); return; }
    // 'end' is not proof of a FIN. When a peer's data and its RST are both waiting, libuv reads the
    // data, sees POLLHUP and reports EOF without the read that would return ECONNRESET; the error
    // stays pending in the socket. An empty write settles it: it fails with that error (and the
    // socket is destroyed through onError, which reports the reset) or succeeds after a real FIN.
    // It also queues behind the chip's writes in flight, so one of those failing is seen first.
    this.socket.write(new Uint8Array(0), (err) => { if (!err) this.push({ kind: 'fin' }); });
  }

  private onError(e: NodeJS.ErrnoException): void {
    const wasDead = this.dead;
    this.dead = true;
    if (this.silenced || wasDead) return;
    if (!this.connected && e.code === 'ECONNREFUSED') this.push({ kind: 'refused' }, true);
    else if (e.code === 'ECONNRESET' || e.code === 'EPIPE') this.push({ kind: 'reset' }, true);
    else {
      this.owner.error(e);
      this.push({ kind: this.connected ? 'reset' : 'refused' }, true);
    }
  }

  /** RST to the peer and drop the OS socket */
  abort(): void {
    this.dead = true;
    this.inbox.length = 0;
    if (!this.socket.destroyed) this.socket.resetAndDestroy();
  }

  private push(ev: Inbound, evenIfDead = false): void {
    if (this.silenced || (this.dead && !evenIfDead)) return;
    this.inbox.push(ev);
    this.owner.wake(this);
  }

  /**
   * Hands queued events to the model in order. Returns true when the inbox is empty; false when the
   * model took only part of some data (its RX buffer is full) and the rest waits for the next poll.
   */
  deliver(): boolean {
    const ev = this.events;
    if (ev === undefined) return this.inbox.length === 0;
    while (this.inbox.length > 0 && !this.silenced) {
      const e = this.inbox[0];
      if (e.kind === 'data') {
        const took = (ev.data as (b: Uint8Array) => unknown)(e.bytes);
        if (typeof took === 'number' && took >= 0 && took < e.bytes.length) {
          // Optional back-pressure: the model took only `took` bytes; hold the rest, stop reading.
          e.bytes = e.bytes.subarray(took);
          this.held = true;
          this.flow();
          return false;
        }
        this.inbox.shift();
        continue;
      }
      this.inbox.shift();
      switch (e.kind) {
        case 'connected': ev.connected(); break;
        case 'refused': ev.refused(); break;
        case 'acked': ev.acked(e.n); break;
        case 'fin': ev.fin(); break;
        case 'finAcked': ev.finAcked(); break;
        case 'reset': ev.reset(); break;
      }
    }
    if (this.held) { this.held = false; this.flow(); }
    return true;
  }
}
