import type { SpiDevice } from '../spi';
import type { Clock } from '../clock';
import { noWake } from '../service-loop';
import type { Wake } from '../service-loop';
import type { InputPin, OutputPin } from '../pins';
import { W5500Bus } from './bus';
import { Chip, Sn_SR } from './registers';
import { W5500Err } from './errors';
import { CommandResult } from './command';
import { StaleReport } from './bringup';
import type { W5500Handler } from './events';

export interface W5500Options {
  spi: SpiDevice;
  clock: Clock;
  /** INTn, if wired: the driver then costs no SPI traffic while the chip is idle */
  int?: InputPin;
  /** RSTn, if wired: reset by pulse instead of MR.RST */
  rst?: OutputPin;
  /** 6 bytes */
  mac: Uint8Array;
  /** 4 bytes each */
  ip: Uint8Array;
  subnet: Uint8Array;
  gateway: Uint8Array;
  /** KB per socket 0–7, each 0, 1, 2, 4, 8 or 16, at most 16 in all per direction; default 2 each */
  txBufKB?: number[];
  rxBufKB?: number[];
  /** RTR, retry period in 100 µs units (chip default 2000 = 200 ms) */
  rtr?: number;
  /** RCR, retry count (chip default 8) */
  rcr?: number;
  /** close sockets left open by an MCU reset with CLOSE at once instead of DISCON + wait */
  hardResetStaleSockets?: boolean;
  /** bound of the graceful stale-socket close (default 2000 ms) */
  staleCloseMs?: number;
  /** bound of the Sn_CR poll (default 20 ms; silicon clears it within microseconds) */
  commandTimeoutMs?: number;
  /** largest buffer read or write in one SPI transaction (default 2048; a host DMA limit, not the chip's) */
  maxBurst?: number;
  /** polling without INT: first and longest interval while idle (default 1 and 128 ms) */
  pollMinMs?: number;
  pollMaxMs?: number;
  /** if > 0, check link, presence and reset every so many ms (one read); default 0: only on events and stalls */
  healthPollMs?: number;
  /** SEND_OK overdue after this long → SEND_STALLED (default 10000 ms) */
  sendStallMs?: number;
}

/** Per-socket driver state bits. */
export const enum F {
  OPEN = 1,
  SENDING = 2,
  DISCON_SENT = 4,
  FIN_SEEN = 8,
  TXWR = 16,
  RXRD = 32,
  /** a closing event (TIMEOUT, RESET, CLOSED) has been reported */
  DONE = 64,
  CON_SEEN = 128,
  WANT_SPACE = 256,
  STALLED = 512,
  CONNECTING = 1024,
}

/** Events that do not come from Sn_IR. */
export const enum X {
  WRITABLE = 1,
  STALLED = 2,
}

export const enum Def {
  CMD_TIMEOUT_MS = 20,
  STALE_CLOSE_MS = 2000,
  MAX_BURST = 2048,
  POLL_MIN_MS = 1,
  POLL_MAX_MS = 128,
  /** close watch: the chip raises no interrupt for TIME_WAIT/LAST_ACK → CLOSED, so that is polled */
  CLOSE_WATCH_FIRST_MS = 1,
  /** connect watch: a refused CONNECT may raise no interrupt */
  CONNECT_WATCH_FIRST_MS = 100,
  WATCH_MAX_MS = 100,
  SEND_STALL_MS = 10000,
  SERVICE_PASSES = 8,
  RTR = 2000,
  RCR = 8,
  /** retry an INTn stuck low without a cause after this long */
  STUCK_INT_MS = 10,
}

const NOOP: W5500Handler = {
  socket: function () { /* no listener */ },
  link: function () { /* no listener */ },
  failure: function () { /* no listener */ },
};

export function knownSr(sr: number): boolean {
  switch (sr) {
    case Sn_SR.SOCK_CLOSED: case Sn_SR.SOCK_INIT: case Sn_SR.SOCK_LISTEN: case Sn_SR.SOCK_SYNSENT:
    case Sn_SR.SOCK_SYNRECV: case Sn_SR.SOCK_ESTABLISHED: case Sn_SR.SOCK_FIN_WAIT: case Sn_SR.SOCK_CLOSING:
    case Sn_SR.SOCK_TIME_WAIT: case Sn_SR.SOCK_CLOSE_WAIT: case Sn_SR.SOCK_LAST_ACK: case Sn_SR.SOCK_UDP:
    case Sn_SR.SOCK_MACRAW:
      return true;
  }
  return false;
}

function validKB(kb: number): boolean {
  return kb === 0 || kb === 1 || kb === 2 || kb === 4 || kb === 8 || kb === 16;
}

/**
 * What the driver knows: the options as checked, the per-socket state the chip's registers do not
 * give back cheaply (our own pointers, what was seen and not yet delivered), and the timers. The
 * layers above it (faults.ts → service.ts → ring.ts → records.ts → driver.ts) add the behaviour.
 */
export class W5500State {
  bus: W5500Bus;
  clock: Clock;
  /** the last Sn_SR (or other code) the chip returned that the datasheet does not list */
  unknownCode = -1;
  /** what the bring-up found and did about sockets left open by an MCU reset */
  stale: StaleReport = new StaleReport();
  /** PHYCFGR.LNK as last read */
  linkUp = false;
  /** TX/RX buffer size of each socket, in bytes */
  txSize: Uint16Array = new Uint16Array(Chip.SOCKETS);
  rxSize: Uint16Array = new Uint16Array(Chip.SOCKETS);

  protected int: InputPin | undefined;
  protected rst: OutputPin | undefined;
  protected handler: W5500Handler = NOOP;
  protected net: Uint8Array = new Uint8Array(18);
  protected txKB: Uint8Array = new Uint8Array(Chip.SOCKETS);
  protected rxKB: Uint8Array = new Uint8Array(Chip.SOCKETS);
  protected rtr = Def.RTR as number;
  protected rcr = Def.RCR as number;
  protected hardStale = false;
  protected staleMs = Def.STALE_CLOSE_MS as number;
  protected cmdMs = Def.CMD_TIMEOUT_MS as number;
  protected burst = Def.MAX_BURST as number;
  protected pollMin = Def.POLL_MIN_MS as number;
  protected pollMax = Def.POLL_MAX_MS as number;
  protected healthMs = 0;
  protected stallMs = Def.SEND_STALL_MS as number;
  protected optErr = 0;

  protected ready = false;
  protected failErr = 0;
  protected failDirty = false;
  protected linkDirty = false;
  protected inService = false;
  /** bit per socket: open (the interrupt service's one-socket shortcut) */
  protected active = 0;
  /** bit per socket: Sn_SR changed and is not delivered yet */
  protected dirty = 0;
  /** bit per socket: something (Sn_IR bits, X bits, a Sn_SR change) waits for delivery */
  protected queued = 0;
  /** bit per socket: the close/connect/space watch looks at it */
  protected watched = 0;

  protected flags: Uint16Array = new Uint16Array(Chip.SOCKETS);
  protected proto: Uint8Array = new Uint8Array(Chip.SOCKETS);
  protected sr: Uint8Array = new Uint8Array(Chip.SOCKETS);
  /** Sn_IR bits read and cleared, not delivered yet */
  protected pend: Uint8Array = new Uint8Array(Chip.SOCKETS);
  /** X bits, not delivered yet */
  protected extra: Uint8Array = new Uint8Array(Chip.SOCKETS);
  protected mr: Uint8Array = new Uint8Array(Chip.SOCKETS);
  protected txWr: Uint16Array = new Uint16Array(Chip.SOCKETS);
  protected rxRd: Uint16Array = new Uint16Array(Chip.SOCKETS);
  /** TX space known free for new bytes: Sn_TX_FSR as last read, less what was written since */
  protected txFree: Uint16Array = new Uint16Array(Chip.SOCKETS);
  /**
   * TCP: bytes written into the TX ring behind the chip's Sn_TX_WR while a SEND awaited SEND_OK;
   * they go with one SEND at SEND_OK (Sn_TX_FSR does not count them until then)
   */
  protected txHeld: Uint16Array = new Uint16Array(Chip.SOCKETS);
  /** bytes known to wait in the RX ring: Sn_RX_RSR as last read, less what was taken since (a lower bound) */
  protected rxKnown: Uint16Array = new Uint16Array(Chip.SOCKETS);
  protected sendAt: Float64Array = new Float64Array(Chip.SOCKETS);
  protected dest: Uint8Array = new Uint8Array(Chip.SOCKETS * 6);
  protected destSet = 0;

  protected res: CommandResult = new CommandResult();
  protected scratch: Uint8Array = new Uint8Array(8);
  protected frame14: Uint8Array = new Uint8Array(14);

  protected intWatch = 0;
  /**
   * Who runs `poll()` (the event loop, or a rig) sets this: the driver calls it, as a plain function,
   * with the time it next needs a poll by (hal/service-loop.ts); the driver arms no timer.
   */
  wake: Wake = noWake;
  // Deadlines of `poll()`'s timed work, clock ms (-1 = none); nextDue() gives the earliest.
  /** INTn stuck low after a full service: look again no sooner than this */
  protected stuckUntil = 0;
  /** polling without INT: the next look at SIR, and the back-off interval */
  protected pollDue = -1;
  protected pollDelay = Def.POLL_MIN_MS as number;
  /** the close/connect/space watch */
  protected watchDue = -1;
  protected watchDelay = Def.CLOSE_WATCH_FIRST_MS as number;
  protected healthDue = -1;
  protected stallDue = -1;

  constructor(opts: W5500Options) {
    this.bus = new W5500Bus(opts.spi);
    this.clock = opts.clock;
    this.int = opts.int;
    this.rst = opts.rst;
    if (!opts.mac || opts.mac.length !== 6 || !opts.ip || opts.ip.length !== 4 || !opts.subnet || opts.subnet.length !== 4 ||
      !opts.gateway || opts.gateway.length !== 4) this.optErr = W5500Err.ARG;
    else {
      // GAR, SUBR, SHAR, SIPR: contiguous at 0x0001–0x0012, written in one frame
      this.net.set(opts.gateway, 0);
      this.net.set(opts.subnet, 4);
      this.net.set(opts.mac, 8);
      this.net.set(opts.ip, 14);
    }
    let txSum = 0;
    let rxSum = 0;
    for (let sn = 0; sn < Chip.SOCKETS; sn++) {
      const t = opts.txBufKB ? opts.txBufKB[sn] : 2;
      const r = opts.rxBufKB ? opts.rxBufKB[sn] : 2;
      if (!validKB(t) || !validKB(r)) this.optErr = W5500Err.ARG;
      else {
        this.txKB[sn] = t;
        this.rxKB[sn] = r;
        txSum += t;
        rxSum += r;
      }
    }
    if (txSum > 16 || rxSum > 16) this.optErr = W5500Err.ARG;
    if (opts.rtr !== undefined) this.rtr = opts.rtr & 0xffff;
    if (opts.rcr !== undefined) this.rcr = opts.rcr & 0xff;
    this.hardStale = !!opts.hardResetStaleSockets;
    if (opts.staleCloseMs !== undefined) this.staleMs = opts.staleCloseMs;
    if (opts.commandTimeoutMs !== undefined) this.cmdMs = opts.commandTimeoutMs;
    if (opts.maxBurst !== undefined && opts.maxBurst >= 16) this.burst = opts.maxBurst;
    if (opts.pollMinMs !== undefined) this.pollMin = opts.pollMinMs;
    if (opts.pollMaxMs !== undefined) this.pollMax = opts.pollMaxMs;
    if (opts.healthPollMs !== undefined) this.healthMs = opts.healthPollMs;
    if (opts.sendStallMs !== undefined) this.stallMs = opts.sendStallMs;
  }

  /** Sets who hears the events (one listener). */
  setHandler(h: W5500Handler | undefined): void {
    this.handler = h ? h : NOOP;
  }

  /** Whether the driver is up (begin succeeded and no failure since). */
  isUp(): boolean {
    return this.ready;
  }

  /** The failure reported last (0 if none). */
  failure(): number {
    return this.failErr;
  }

  protected check(sn: number): number {
    if (!this.ready) return W5500Err.DOWN;
    if (typeof sn !== 'number' || (sn >>> 0) !== sn || sn >= Chip.SOCKETS) return W5500Err.ARG;
    return W5500Err.OK;
  }

  protected checkOpen(sn: number, p: number): number {
    const e = this.check(sn);
    if (e) return e;
    if (!(this.flags[sn] & F.OPEN)) return W5500Err.STATE;
    if (this.proto[sn] !== p) return W5500Err.STATE;
    return W5500Err.OK;
  }

}
