import type { SpiDevice } from '../spi';
import type { Clock } from '../clock';
import type { InputPin, OutputPin } from '../pins';
import { noWake } from '../service-loop';
import type { Wake } from '../service-loop';
import { Edge } from '../pins';
import { FrameCount, FrameErr } from '../frame-driver';
import type { FrameDriver, FrameHandler } from '../frame-driver';
import { EncBus } from './bus';
import { EncRx } from './rx';
import { EncTx } from './tx';
import { checkChip, configure, readLink, resetChip } from './bringup';
import { ECON1, EIR, Eth, Reg, Tsv } from './registers';

export interface Enc28j60Options {
  spi: SpiDevice;
  clock: Clock;
  /** INT, if wired: the driver then costs no SPI traffic while the chip is idle */
  int?: InputPin;
  /** RESET, if wired: reset by pulse instead of SRC */
  rst?: OutputPin;
  /** station address, 6 bytes */
  mac: Uint8Array;
  /** full duplex (MACON3.FULDPX and PHCON1.PDPXMD); default half: the chip cannot negotiate */
  fullDuplex?: boolean;
  /** accept multicast frames (ERXFCON.MCEN); default off */
  multicast?: boolean;
  /**
   * the longest frame received, without CRC (60…1514, default 1514): the size of the one receive buffer in RAM;
   * longer frames are dropped and counted (RX_TOO_LONG)
   */
  maxFrame?: number;
  /** records read per service turn at most (default 4); more wait for the next turn */
  framesPerTurn?: number;
  /** late-collision retransmissions per frame (errata #13, default 16 as Linux) */
  txRetries?: number;
  /** a transmission not done after this long is reset and retried (errata #12, default 20 ms) */
  txTimeoutMs?: number;
  /** polling without INT: first and longest interval while idle (default 1 and 128 ms) */
  pollMinMs?: number;
  pollMaxMs?: number;
  /** if > 0, check presence and reset every so many ms (one read); default 0 with INT */
  healthPollMs?: number;
}

const enum Def {
  FRAMES_PER_TURN = 4,
  TX_RETRIES = 16,
  TX_TIMEOUT_MS = 20,
  POLL_MIN_MS = 1,
  POLL_MAX_MS = 128,
  /** INT low with nothing to do: look again after this long rather than spin */
  STUCK_INT_MS = 10,
  /** polling and idle: presence and reset checked this often */
  IDLE_CHECK_MS = 1000,
}

const NOOP: FrameHandler = {
  frame: function () { /* no listener */ },
  sent: function () { /* no listener */ },
  link: function () { /* no listener */ },
  failure: function () { /* no listener */ },
};

/**
 * The ENC28J60 driver, a FrameDriver (hal/frame-driver.ts). Every call is synchronous and returns a
 * result code; frames, completions, link changes and failures reach the handler from `service`, which
 * its owner runs (the driver arms no timer): when `wake` asks (an INT edge, a frame handed to `send`)
 * and at the time the last `service` returned — while INT stays low, or on a poll that backs off
 * while idle when INT is not wired. A `service` before that time with INTn high reads nothing.
 */
export class Enc28j60 implements FrameDriver {
  bus: EncBus;
  clock: Clock;
  mac: Uint8Array = new Uint8Array(6);
  counters: Uint32Array = new Uint32Array(FrameCount.N);
  /** EREVID as read at bring-up */
  revision = 0;

  private int: InputPin | undefined;
  private rst: OutputPin | undefined;
  private handler: FrameHandler = NOOP;
  private rx: EncRx;
  private tx: EncTx = new EncTx();
  private full = false;
  private multicast = false;
  private perTurn = Def.FRAMES_PER_TURN as number;
  private retries = Def.TX_RETRIES as number;
  private txTimeout = Def.TX_TIMEOUT_MS as number;
  private pollMin = Def.POLL_MIN_MS as number;
  private pollMax = Def.POLL_MAX_MS as number;
  private healthMs = 0;
  private optErr = 0;

  private ready = false;
  private link = false;
  private inService = false;
  private pollDelay = Def.POLL_MIN_MS as number;
  private nextHealth = 0;
  private idleChecked = 0;
  private intWatch = 0;
  private wake: Wake = noWake;
  /** the earliest time `service` has work (clock ms, -1 = only an INT edge or a call brings it) */
  private dueAt = -1;
  private rev: Uint8Array = new Uint8Array(1);

  constructor(opts: Enc28j60Options) {
    this.bus = new EncBus(opts.spi);
    this.clock = opts.clock;
    this.int = opts.int;
    this.rst = opts.rst;
    if (!opts.mac || opts.mac.length !== 6 || (opts.mac[0] & 1)) this.optErr = FrameErr.ARG;
    else this.mac.set(opts.mac);
    this.full = !!opts.fullDuplex;
    this.multicast = !!opts.multicast;
    let maxFrame = Eth.MAX_FRAME as number;
    if (opts.maxFrame !== undefined) {
      if (opts.maxFrame >= Eth.MIN_FRAME && opts.maxFrame <= Eth.MAX_FRAME && opts.maxFrame === Math.floor(opts.maxFrame)) maxFrame = opts.maxFrame;
      else this.optErr = FrameErr.ARG;
    }
    this.rx = new EncRx(maxFrame);
    if (opts.framesPerTurn !== undefined) {
      if (opts.framesPerTurn >= 1) this.perTurn = opts.framesPerTurn;
      else this.optErr = FrameErr.ARG;
    }
    if (opts.txRetries !== undefined) {
      if (opts.txRetries >= 0) this.retries = opts.txRetries;
      else this.optErr = FrameErr.ARG;
    }
    if (opts.txTimeoutMs !== undefined) {
      if (opts.txTimeoutMs > 0) this.txTimeout = opts.txTimeoutMs;
      else this.optErr = FrameErr.ARG;
    }
    if (opts.pollMinMs !== undefined) this.pollMin = opts.pollMinMs > 0 ? opts.pollMinMs : 1;
    if (opts.pollMaxMs !== undefined) this.pollMax = opts.pollMaxMs > this.pollMin ? opts.pollMaxMs : this.pollMin;
    if (opts.healthPollMs !== undefined) this.healthMs = opts.healthPollMs > 0 ? opts.healthPollMs : 0;
  }

  setWake(wake: Wake): void {
    this.wake = wake;
  }

  setHandler(h: FrameHandler | undefined): void {
    this.handler = h ? h : NOOP;
  }

  /**
   * Resets the chip (RESET pin or SRC, with the errata waits), checks EREVID (NO_CHIP / WIRING),
   * configures it, reads the link, and starts servicing: INT watch, or polling. OK or a FrameErr.
   */
  begin(): number {
    this.stop();
    if (this.optErr) return this.optErr;
    let err = resetChip(this.bus, this.clock, this.rst, this.rev);
    if (err) return err;
    this.revision = this.rev[0];
    err = configure(this.bus, this.clock, { mac: this.mac, fullDuplex: this.full, multicast: this.multicast, interrupts: !!this.int });
    if (err) return err;
    this.rx.reset();
    this.tx.reset();
    const l = readLink(this.bus, this.clock);
    if (l < 0) return FrameErr.PHY;
    this.link = l === 1;
    this.ready = true;
    const now = this.clock.now();
    this.nextHealth = this.healthMs > 0 ? now + this.healthMs : -1;
    this.pollDelay = this.pollMin;
    this.idleChecked = now;
    const self = this;
    if (this.int) {
      this.intWatch = this.int.watch(Edge.Falling, function () { self.want(self.clock.now()); });
      if (!this.int.read()) this.want(now);
      else if (this.nextHealth >= 0) this.want(this.nextHealth);
    } else this.want(now + this.pollDelay);
    return FrameErr.OK;
  }

  stop(): void {
    this.ready = false;
    if (this.int && this.intWatch) this.int.unwatch(this.intWatch);
    this.intWatch = 0;
    this.dueAt = -1;
  }

  isUp(): boolean {
    return this.ready;
  }

  isLinkUp(): boolean {
    return this.link;
  }

  canSend(): boolean {
    return this.ready && !this.tx.busy;
  }

  send(frame: Uint8Array, len: number): number {
    if (!(frame instanceof Uint8Array) || typeof len !== 'number' || len !== (len | 0) || len > frame.length) return FrameErr.ARG;
    if (len < Eth.HEADER || len > Eth.MAX_FRAME) return FrameErr.MSGSIZE;
    if (!this.ready) return FrameErr.DOWN;
    if (this.tx.busy) return FrameErr.BUSY;
    const now = this.clock.now();
    if (!this.tx.start(this.bus, frame, len, now)) return this.fail(FrameErr.BUS);
    // Without INT the completion is polled; with it, the watchdog needs a timer.
    this.pollDelay = this.pollMin;
    this.want(this.int ? now + this.txTimeout : now + this.pollMin);
    return FrameErr.OK;
  }

  checkChip(): number {
    if (!this.ready) return FrameErr.DOWN;
    const h = checkChip(this.bus);
    if (h !== FrameErr.OK) this.fail(h);
    return h;
  }

  service(now: number): number {
    if (!this.ready || this.inService) return -1;
    // nothing due and INTn high (or polling and the poll not due): no bus traffic
    const due0 = this.dueAt;
    if (due0 >= 0 && now < due0 && (!this.int || this.int.read())) return due0;
    if (due0 < 0 && this.int && this.int.read()) return -1;
    this.inService = true;
    let due = -1;
    let found = false;
    const bus = this.bus;
    // INT before EIR: a record that arrives after this read pulls INT low again and brings another turn
    const intLow = this.int ? !this.int.read() : false;
    const eir = bus.read(Reg.EIR);
    if (eir < 0) return this.done(this.fail(FrameErr.BUS));
    if (eir === 0xff) return this.done(this.health());
    if (eir & EIR.LINKIF) {
      found = true;
      const l = readLink(bus, this.clock);
      if (l < 0) return this.done(this.fail(FrameErr.PHY));
      if ((l === 1) !== this.link) {
        this.link = l === 1;
        this.counters[FrameCount.LINK_CHANGES]++;
        this.handler.link(this.link);
        if (!this.ready) return this.done(-1);
      }
    }
    if (this.tx.busy) {
      const t = this.txService(eir, now);
      if (t === -2) return this.done(-1);
      if (t === 1) found = true;
    } else if ((eir & (EIR.TXIF | EIR.TXERIF)) && !this.tx.flagsClear) {
      if (!bus.clear(Reg.EIR, EIR.TXIF | EIR.TXERIF)) return this.done(this.fail(FrameErr.BUS));
      this.tx.flagsClear = true;
    }
    // Errata #6: EIR.PKTIF read over SPI is unreliable, so EPKTCNT decides — read whenever records may wait:
    // always when polling; with INT when PKTIF or RXERIF shows, or when INT is low and no other cause explains
    // it (the errata's own workaround). INT itself is reliable: PKTIE is on, so while a record waits INT is low;
    // a turn with INT high (a pump from the stack or a blocking call) has none to look for, and skips the bank
    // switch and the read.
    let pending = 0;
    if (!this.int || (eir & (EIR.PKTIF | EIR.RXERIF)) || (intLow && !(eir & (EIR.LINKIF | EIR.TXIF | EIR.TXERIF)))) {
      pending = bus.read(Reg.EPKTCNT);
      if (pending < 0) return this.done(this.fail(FrameErr.BUS));
    }
    const n = pending < this.perTurn ? pending : this.perTurn;
    for (let i = 0; i < n && this.ready; i++) {
      found = true;
      const len = this.rx.readOne(bus, this.counters);
      if (len === -1) return this.done(this.fail(FrameErr.BUS));
      if (len === -2) {
        // A garbled record may be a chip that was reset or went away: check before blaming the ring.
        const h = checkChip(bus);
        if (h !== FrameErr.OK) return this.done(this.fail(h));
        if (!this.rx.resetReceiver(bus)) return this.done(this.fail(FrameErr.BUS));
        break;
      }
      if (len > 0) this.handler.frame(this.rx.frame(len), len);
    }
    if (!this.ready) return this.done(-1);
    if (!this.rx.free(bus, (eir & EIR.RXERIF) !== 0)) return this.done(this.fail(FrameErr.BUS));
    if (eir & EIR.RXERIF) {
      // Records were lost for want of space (or EPKTCNT was full); the space is given back above.
      found = true;
      this.counters[FrameCount.RX_OVERFLOW]++;
      if (!bus.clear(Reg.EIR, EIR.RXERIF)) return this.done(this.fail(FrameErr.BUS));
    }
    if (pending > n) due = now;
    if (this.nextHealth >= 0 && now >= this.nextHealth) {
      const h = checkChip(bus);
      if (h !== FrameErr.OK) return this.done(this.fail(h));
      this.nextHealth = now + this.healthMs;
    }
    if (this.int) {
      // INT still low: something arrived during the turn (or cannot be cleared): another turn, not a spin.
      if (due < 0 && !this.int.read()) due = found ? now : now + Def.STUCK_INT_MS;
    } else {
      this.pollDelay = found ? this.pollMin : (this.pollDelay * 2 < this.pollMax ? this.pollDelay * 2 : this.pollMax);
      if (!found && this.pollDelay === this.pollMax && this.healthMs === 0 && now - this.idleChecked >= Def.IDLE_CHECK_MS) {
        // Idle at the longest interval: the moment a poll also checks (once a second) the chip is still itself.
        this.idleChecked = now;
        const h = checkChip(bus);
        if (h !== FrameErr.OK) return this.done(this.fail(h));
      }
      const p = now + this.pollDelay;
      if (due < 0 || p < due) due = p;
    }
    if (this.tx.busy) {
      const w = this.tx.startedAt + this.txTimeout;
      if (due < 0 || w < due) due = w;
    }
    if (this.nextHealth >= 0 && (due < 0 || this.nextHealth < due)) due = this.nextHealth;
    return this.done(due);
  }

  private done(due: number): number {
    this.inService = false;
    this.dueAt = this.ready ? due : -1;
    return this.dueAt;
  }

  /**
   * Completion of the frame in flight: TXIF alone is success; TXERIF reads the status vector — a late
   * collision (errata #13; ESTAT.LATECOL is unreliable, #15) is retried after a TXRST (#12), anything
   * else ends the frame as TX_ABORTED. TXRTS still set past the timeout is the stall of errata #12:
   * TXRST and retry, bounded. 1 when something completed, 0 when still in flight, -2 after a failure.
   */
  private txService(eir: number, now: number): number {
    const bus = this.bus;
    const tx = this.tx;
    if (eir & EIR.TXERIF) {
      const s = tx.readStatus(bus);
      this.rx.erdpt = -1;
      if (s < 0 || !tx.resetTransmitter(bus)) { this.fail(FrameErr.BUS); return -2; }
      this.counters[FrameCount.TX_RESETS]++;
      if ((s & Tsv.BYTE3_LATE_COLLISION) && tx.tries < this.retries) return this.retry(now);
      this.txEnd(FrameErr.TX_ABORTED);
      return 1;
    }
    if (eir & EIR.TXIF) {
      if (!bus.clear(Reg.EIR, EIR.TXIF)) { this.fail(FrameErr.BUS); return -2; }
      tx.flagsClear = true;
      this.txEnd(FrameErr.OK);
      return 1;
    }
    if (now - tx.startedAt < this.txTimeout) return 0;
    const c = bus.read(Reg.ECON1);
    if (c < 0) { this.fail(FrameErr.BUS); return -2; }
    if (!(c & ECON1.TXRTS)) {
      // Done, yet no flag: the chip lost its configuration (EIR cleared by a reset) or went away.
      const h = checkChip(bus);
      if (h !== FrameErr.OK) { this.fail(h); return -2; }
      this.txEnd(FrameErr.OK);
      return 1;
    }
    const h = checkChip(bus);
    if (h !== FrameErr.OK) { this.fail(h); return -2; }
    if (!tx.resetTransmitter(bus)) { this.fail(FrameErr.BUS); return -2; }
    this.counters[FrameCount.TX_RESETS]++;
    if (tx.tries < this.retries) return this.retry(now);
    this.txEnd(FrameErr.TX_TIMEOUT);
    return 1;
  }

  private retry(now: number): number {
    this.tx.tries++;
    this.counters[FrameCount.TX_RETRIES]++;
    if (!this.tx.go(this.bus, now)) { this.fail(FrameErr.BUS); return -2; }
    return 1;
  }

  private txEnd(result: number): void {
    this.tx.busy = false;
    if (result === FrameErr.OK) {
      this.counters[FrameCount.TX_FRAMES]++;
      this.counters[FrameCount.TX_BYTES] += this.tx.len;
    } else this.counters[FrameCount.TX_FAILED]++;
    this.handler.sent(result);
  }

  /** Presence and reset check; on a failure the driver goes down. Returns -1 (no deadline). */
  private health(): number {
    const h = checkChip(this.bus);
    if (h !== FrameErr.OK) this.fail(h);
    return -1;
  }

  /** The chip failed: stop, tell the handler once, return `err` for the caller to pass on. */
  private fail(err: number): number {
    if (!this.ready) return err;
    this.stop();
    this.tx.forget();
    this.handler.failure(err);
    return err;
  }

  /** Work is due by `due`: the earliest time anyone asked for, passed on to the owner. */
  private want(due: number): void {
    if (!this.ready) return;
    if (this.dueAt < 0 || due < this.dueAt) this.dueAt = due;
    this.wake(due);
  }
}
