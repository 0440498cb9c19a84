import type { SpiDevice } from '../spi';
import type { Clock } from '../clock';
import type { InputPin, OutputPin } from '../pins';
import { noWake } from '../service-loop';
import type { Wake } from '../service-loop';
import { FrameCount, FrameErr } from '../frame-driver';
import type { FrameDriver, FrameHandler } from '../frame-driver';
import { Sn_MR } from './registers';
import { W5500Err, isFatal } from './errors';
import { SnEvent } from './events';
import type { W5500Handler } from './events';
import { W5500 } from './driver';

export interface W5500MacrawOptions {
  spi: SpiDevice;
  clock: Clock;
  /** INTn, if wired: the driver then costs no SPI traffic while the chip is idle (besides the health read) */
  int?: InputPin;
  /** RSTn, if wired: reset by pulse instead of MR.RST */
  rst?: OutputPin;
  /** station address, 6 bytes (SHAR; with Sn_MR.MFEN the chip takes unicast frames only for it) */
  mac: Uint8Array;
  /** accept multicast frames; default off (Sn_MR.MMB blocks them in the chip) */
  multicast?: boolean;
  /** frames read per turn at most (default 4); more wait for the next turn */
  framesPerTurn?: number;
  /** SEND_OK not there after this long: socket 0 is opened again and the frame ends TX_TIMEOUT (default 1000 ms) */
  txTimeoutMs?: number;
  /** link (PHYCFGR) and presence/reset checked every so many ms, one read (default 1000; the chip interrupts for neither) */
  healthPollMs?: number;
  /** polling without INT: first and longest interval while idle (default 1 and 128 ms) */
  pollMinMs?: number;
  pollMaxMs?: number;
  /** bound of the Sn_CR poll (default 20 ms) */
  commandTimeoutMs?: number;
  /** largest buffer read or write in one SPI transaction (default 2048) */
  maxBurst?: number;
}

const enum Def {
  FRAMES_PER_TURN = 4,
  TX_TIMEOUT_MS = 1000,
  HEALTH_MS = 1000,
  /** all 16 KB of each direction go to socket 0: the other seven sockets get none */
  BUF_KB = 16,
  /** Ethernet frame without FCS: header, smallest, largest */
  HEADER = 14,
  MIN_FRAME = 60,
  MAX_FRAME = 1514,
}

const NOOP: FrameHandler = {
  frame: function () { /* no listener */ },
  sent: function () { /* no listener */ },
  link: function () { /* no listener */ },
  failure: function () { /* no listener */ },
};

/**
 * The W5500 as a MAC: socket 0 in MACRAW mode with all 16 KB of TX and RX buffer, behind the frame
 * driver interface (hal/frame-driver.ts), so the software TCP/IP stack can run on a W5500 board. The
 * W5500 driver (driver.ts) does the chip's work — bring-up, interrupt service or polling, commands, the
 * one record reader for the 2-byte MACRAW length header, failure and health — and this file turns its
 * socket-0 events into frames, completions, link changes and failures.
 *
 * SIPR, GAR and SUBR stay 0.0.0.0: the chip's own IP engine then answers no ARP or ping for the address
 * our stack owns. Sn_MR = MACRAW | MFEN (unicast only for SHAR; broadcast passes) | MIP6B (the stack
 * speaks IPv4 only) | MMB unless `multicast`.
 */
export class W5500Macraw implements FrameDriver {
  mac: Uint8Array = new Uint8Array(6);
  counters: Uint32Array = new Uint32Array(FrameCount.N);
  /** the W5500 driver underneath (its `stale` report, `unknownCode`, `checkChip`) */
  chip: W5500;

  private clock: Clock;
  private handler: FrameHandler = NOOP;
  private mode = 0;
  private perTurn = Def.FRAMES_PER_TURN as number;
  private optErr = 0;
  private ready = false;
  private sending = false;
  private sentLen = 0;
  /** frames may be waiting beyond what the last turn read */
  private rxMore = false;
  private wake: Wake = noWake;
  private inDrain = false;
  private rxBuf: Uint8Array = new Uint8Array(Def.MAX_FRAME);
  private padBuf: Uint8Array = new Uint8Array(Def.MIN_FRAME);

  constructor(opts: W5500MacrawOptions) {
    this.clock = opts.clock;
    if (!opts.mac || opts.mac.length !== 6 || (opts.mac[0] & 1)) this.optErr = FrameErr.ARG;
    else this.mac.set(opts.mac);
    if (opts.framesPerTurn !== undefined) {
      if (opts.framesPerTurn >= 1) this.perTurn = opts.framesPerTurn;
      else this.optErr = FrameErr.ARG;
    }
    this.mode = Sn_MR.MACRAW | Sn_MR.MFEN | Sn_MR.MIP6B | (opts.multicast ? 0 : Sn_MR.MMB);
    const zero = new Uint8Array(4);
    const sizes = [Def.BUF_KB, 0, 0, 0, 0, 0, 0, 0];
    this.chip = new W5500({
      spi: opts.spi,
      clock: opts.clock,
      int: opts.int,
      rst: opts.rst,
      mac: this.mac,
      ip: zero,
      subnet: zero,
      gateway: zero,
      txBufKB: sizes,
      rxBufKB: sizes,
      hardResetStaleSockets: true,
      commandTimeoutMs: opts.commandTimeoutMs,
      maxBurst: opts.maxBurst,
      pollMinMs: opts.pollMinMs,
      pollMaxMs: opts.pollMaxMs,
      healthPollMs: opts.healthPollMs !== undefined ? opts.healthPollMs : Def.HEALTH_MS,
      sendStallMs: opts.txTimeoutMs !== undefined && opts.txTimeoutMs > 0 ? opts.txTimeoutMs : Def.TX_TIMEOUT_MS,
    });
    const self = this;
    const h: W5500Handler = {
      socket: function (sn: number, ev: number) { if (sn === 0) self.onSocket(ev); },
      link: function (up: boolean) {
        self.counters[FrameCount.LINK_CHANGES]++;
        self.handler.link(up);
      },
      failure: function (err: number) { self.down(err); },
    };
    this.chip.setHandler(h);
  }

  setHandler(h: FrameHandler | undefined): void {
    this.handler = h ? h : NOOP;
  }

  setWake(wake: Wake): void {
    this.wake = wake;
    this.chip.wake = wake;
  }

  /**
   * Brings the chip up with socket 0 owning all buffer memory, opens it in MACRAW mode, and starts
   * servicing (INT watch or polling, plus the health read for link and reset). OK or a FrameErr
   * (the W5500's own codes where they have no frame-driver twin: BAD_VERSION, CMD_STUCK).
   */
  begin(): number {
    this.stop();
    if (this.optErr) return this.optErr;
    let err = this.chip.begin();
    if (err) return err;
    err = this.chip.open(0, this.mode, 0);
    if (err) {
      this.chip.stop();
      return err === W5500Err.STATE ? FrameErr.CONFIG : err;
    }
    this.sending = false;
    this.rxMore = false;
    this.ready = true;
    return FrameErr.OK;
  }

  stop(): void {
    this.ready = false;
    this.chip.stop();
  }

  isUp(): boolean {
    return this.ready;
  }

  isLinkUp(): boolean {
    return this.chip.linkUp;
  }

  /**
   * One presence, reset and link check now (SIMR…VERSIONR in one read). OK, or the failure found: the
   * driver is then down and `failure` has reached the handler during this call. DOWN when not up.
   */
  checkChip(): number {
    if (!this.ready) return FrameErr.DOWN;
    const r = this.chip.checkChip();
    if (r !== W5500Err.OK) this.down(r);
    return r;
  }

  canSend(): boolean {
    return this.ready && !this.sending;
  }

  /**
   * Writes the frame into socket 0's TX buffer and issues SEND; `sent` follows on SEND_OK. A frame
   * shorter than 60 bytes is zero-padded to 60 here (the datasheet does not say the MAC pads).
   */
  send(frame: Uint8Array, len: number): number {
    if (!(frame instanceof Uint8Array) || typeof len !== 'number' || len !== (len | 0) || len > frame.length) return FrameErr.ARG;
    if (len < Def.HEADER || len > Def.MAX_FRAME) return FrameErr.MSGSIZE;
    if (!this.ready) return FrameErr.DOWN;
    if (this.sending) return FrameErr.BUSY;
    let out = frame.subarray(0, len);
    if (len < Def.MIN_FRAME) {
      const p = this.padBuf;
      p.fill(0);
      p.set(out, 0);
      out = p;
    }
    const r = this.chip.sendFrame(0, out);
    if (r > 0) {
      this.sending = true;
      this.sentLen = len;
      return FrameErr.OK;
    }
    // 0: no room in a buffer that holds one frame at a time only while a SEND is in flight
    if (r === 0 || r === W5500Err.BUSY) return FrameErr.BUSY;
    return this.result(r);
  }

  /**
   * Services the chip now (interrupt or SIR, Sn_IR of socket 0, the watches), delivers what it found,
   * and reads waiting frames (at most `framesPerTurn`). Returns when it wants to run again, or -1.
   */
  service(now: number): number {
    if (!this.ready) return -1;
    this.chip.poll();
    if (this.ready && this.rxMore) this.drain();
    if (!this.ready) return -1;
    if (this.rxMore) return now;
    return this.chip.nextDue();
  }

  private onSocket(ev: number): void {
    if (!this.ready) return;
    if (ev === SnEvent.RECV) {
      this.rxMore = true;
      this.drain();
    } else if (ev === SnEvent.SEND_OK) {
      if (!this.sending) return;
      this.sending = false;
      this.counters[FrameCount.TX_FRAMES]++;
      this.counters[FrameCount.TX_BYTES] += this.sentLen;
      this.handler.sent(FrameErr.OK);
    } else if (ev === SnEvent.SEND_STALLED) {
      // SEND_OK overdue (the chip holds the frame): start socket 0 afresh, which drops it.
      if (!this.sending || !this.reopen()) return;
      this.sending = false;
      this.counters[FrameCount.TX_FAILED]++;
      this.counters[FrameCount.TX_RESETS]++;
      this.handler.sent(FrameErr.TX_TIMEOUT);
    }
  }

  /** Reads up to `framesPerTurn` frames; leaves `rxMore` set (and asks for a turn) when more may wait. */
  private drain(): void {
    if (this.inDrain) return;
    this.inDrain = true;
    const buf = this.rxBuf;
    let n = 0;
    for (; n < this.perTurn && this.ready; n++) {
      const len = this.chip.recvFrame(0, buf);
      if (len === W5500Err.EMPTY) {
        this.rxMore = false;
        break;
      }
      if (len < 0) {
        if (len === W5500Err.UNKNOWN_CODE) this.badRecord();
        else if (!isFatal(len)) this.rxMore = true;
        // fatal: the failure event follows from the W5500 driver
        break;
      }
      if (len > Def.MAX_FRAME) this.counters[FrameCount.RX_TOO_LONG]++;
      else if (len < Def.MIN_FRAME) this.counters[FrameCount.RX_RUNT]++;
      else {
        this.counters[FrameCount.RX_FRAMES]++;
        this.counters[FrameCount.RX_BYTES] += len;
        this.handler.frame(buf, len);
      }
    }
    this.inDrain = false;
    if (n === this.perTurn) this.rxMore = true;
    // the rest on the next turn: service() says it is due now
    if (this.rxMore && this.ready) this.wake(this.clock.now());
  }

  /**
   * A record whose length field cannot be right: the ring is no longer in step. If the chip is still
   * itself, socket 0 is opened again, which empties the ring; a chip that went away or was reset is a
   * failure instead.
   */
  private badRecord(): void {
    this.counters[FrameCount.RX_BAD_POINTER]++;
    this.rxMore = false;
    if (this.chip.checkChip() !== W5500Err.OK) return;
    this.reopen();
  }

  /** CLOSE and OPEN of socket 0: pointers back to the start, whatever was in the buffers dropped. */
  private reopen(): boolean {
    let r = this.chip.close(0);
    if (r === W5500Err.OK) r = this.chip.open(0, this.mode, 0);
    if (r === W5500Err.OK) return true;
    if (!isFatal(r)) this.down(r);
    return false;
  }

  /** A result of the W5500 driver as a frame-driver result; a failure it found is reported by its handler. */
  private result(r: number): number {
    if (r === W5500Err.MSGSIZE) return FrameErr.MSGSIZE;
    if (r === W5500Err.ARG) return FrameErr.ARG;
    return r;
  }

  private down(err: number): void {
    if (!this.ready) return;
    this.stop();
    this.sending = false;
    this.handler.failure(err);
  }
}
