import type { SpiDevice } from '../spi';
import type { Clock } from '../clock';
import type { InputPin, OutputPin } from '../pins';
import { Edge } from '../pins';
import { W5500Bus } from './bus';
import { Block, Chip, CommonReg, PHYCFGR, SnReg, Sn_CR, Sn_IR, Sn_MR, Sn_SR, rxBlock, socketBlock, txBlock } from './registers';
import { W5500Err } from './errors';
import { CommandResult, execCommand } from './command';
import { readStable } from './counters';
import { SnEvent } from './events';
import type { W5500Handler } from './events';
import { StaleReport, closeStaleSockets, commonConfigured, diagnoseCommon, diagnoseVersion, readCommon, resetChip } from './bringup';

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
const enum F {
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
const enum X {
  WRITABLE = 1,
  STALLED = 2,
}

const enum Def {
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
  /** SIMR: every socket may assert INTn; IMR stays 0 (common IR events are not used) */
  SIMR_ALL = 0xff,
  /** retry an INTn stuck low without a cause after this long */
  STUCK_INT_MS = 10,
}

const NOOP: W5500Handler = {
  socket: function () { /* no listener */ },
  link: function () { /* no listener */ },
  failure: function () { /* no listener */ },
};

function knownSr(sr: number): boolean {
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
 * The W5500 driver: bring-up, the hardware sockets' operations, and interrupt service.
 * Every call is synchronous and returns a result code (W5500Err, negative) or a count; events go
 * up through the handler, always from a later turn of the event loop, never from inside a call.
 */
export class W5500 {
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

  private int: InputPin | undefined;
  private rst: OutputPin | undefined;
  private handler: W5500Handler = NOOP;
  private net: Uint8Array = new Uint8Array(18);
  private txKB: Uint8Array = new Uint8Array(Chip.SOCKETS);
  private rxKB: Uint8Array = new Uint8Array(Chip.SOCKETS);
  private rtr = Def.RTR as number;
  private rcr = Def.RCR as number;
  private hardStale = false;
  private staleMs = Def.STALE_CLOSE_MS as number;
  private cmdMs = Def.CMD_TIMEOUT_MS as number;
  private burst = Def.MAX_BURST as number;
  private pollMin = Def.POLL_MIN_MS as number;
  private pollMax = Def.POLL_MAX_MS as number;
  private healthMs = 0;
  private stallMs = Def.SEND_STALL_MS as number;
  private optErr = 0;

  private ready = false;
  private failErr = 0;
  private failDirty = false;
  private linkDirty = false;
  private inService = false;
  private active = 0;
  private dirty = 0;

  private flags: Uint16Array = new Uint16Array(Chip.SOCKETS);
  private proto: Uint8Array = new Uint8Array(Chip.SOCKETS);
  private sr: Uint8Array = new Uint8Array(Chip.SOCKETS);
  private pend: Uint8Array = new Uint8Array(Chip.SOCKETS);
  private extra: Uint8Array = new Uint8Array(Chip.SOCKETS);
  private mr: Uint8Array = new Uint8Array(Chip.SOCKETS);
  private txWr: Uint16Array = new Uint16Array(Chip.SOCKETS);
  private rxRd: Uint16Array = new Uint16Array(Chip.SOCKETS);
  private txFree: Uint16Array = new Uint16Array(Chip.SOCKETS);
  private sendAt: Float64Array = new Float64Array(Chip.SOCKETS);
  private dest: Uint8Array = new Uint8Array(Chip.SOCKETS * 6);
  private destSet = 0;

  private res: CommandResult = new CommandResult();
  private scratch: Uint8Array = new Uint8Array(8);
  private frame14: Uint8Array = new Uint8Array(14);

  private intWatch = 0;
  private serviceTimer = 0;
  private dispatchTimer = 0;
  private pollTimer = 0;
  private pollDelay = Def.POLL_MIN_MS as number;
  private watchTimer = 0;
  private watchDue = 0;
  private watchDelay = Def.CLOSE_WATCH_FIRST_MS as number;
  private healthTimer = 0;
  private stallTimer = 0;

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

  // ---------------------------------------------------------------- bring-up

  /**
   * Brings the chip up: checks that it answers (VERSIONR 0x04, else NO_CHIP / WIRING / BAD_VERSION),
   * ends connections left open by an MCU reset, resets the chip, writes the network settings,
   * buffer sizes, RTR/RCR and SIMR, reads them back, and starts interrupt service (or polling).
   * Blocking (uses clock.pause); returns OK or an error code.
   */
  begin(): number {
    this.stop();
    this.failErr = 0;
    this.failDirty = false;
    if (this.optErr) return this.optErr;
    let v = readCommon(this.bus);
    if (!v) return W5500Err.BUS;
    let err = diagnoseCommon(v);
    if (err) return err;
    this.stale = new StaleReport();
    if (commonConfigured(v)) {
      err = closeStaleSockets(this.bus, this.clock, this.hardStale, this.staleMs, this.cmdMs, this.stale);
      if (err) return err;
    }
    err = resetChip(this.bus, this.clock, this.rst);
    if (err) return err;
    if (!this.bus.write(CommonReg.GAR, Block.Common, this.net)) return W5500Err.BUS;
    const s = this.scratch;
    s[0] = Def.SIMR_ALL;
    s[1] = this.rtr >> 8;
    s[2] = this.rtr & 0xff;
    s[3] = this.rcr;
    if (!this.bus.write(CommonReg.SIMR, Block.Common, s.subarray(0, 4))) return W5500Err.BUS;
    // Shrink before growing, so the per-direction sum never passes 16 KB on the way.
    for (let pass = 0; pass < 2; pass++) {
      for (let sn = 0; sn < Chip.SOCKETS; sn++) {
        const t = this.txKB[sn];
        const r = this.rxKB[sn];
        this.txSize[sn] = t * 1024;
        this.rxSize[sn] = r * 1024;
        if (t === 2 && r === 2) continue; // the reset value
        if ((pass === 0) !== (t <= 2 && r <= 2)) continue;
        s[0] = r;
        s[1] = t;
        if (!this.bus.write(SnReg.Sn_RXBUF_SIZE, socketBlock(sn), s.subarray(0, 2))) return W5500Err.BUS;
      }
    }
    v = readCommon(this.bus);
    if (!v) return W5500Err.BUS;
    err = diagnoseCommon(v);
    if (err) return err;
    for (let i = 0; i < 18; i++) if (v[CommonReg.GAR + i] !== this.net[i]) return W5500Err.CONFIG;
    if (v[CommonReg.SIMR] !== Def.SIMR_ALL || ((v[CommonReg.RTR] << 8) | v[CommonReg.RTR + 1]) !== this.rtr ||
      v[CommonReg.RCR] !== this.rcr) return W5500Err.CONFIG;
    this.linkUp = (v[CommonReg.PHYCFGR] & PHYCFGR.LNK) !== 0;
    this.flags.fill(0);
    this.pend.fill(0);
    this.extra.fill(0);
    this.mr.fill(0);
    this.sr.fill(Sn_SR.SOCK_CLOSED);
    this.active = 0;
    this.dirty = 0;
    this.destSet = 0;
    this.ready = true;
    const self = this;
    if (this.int) {
      this.intWatch = this.int.watch(Edge.Falling, function () { self.scheduleService(0); });
      if (!this.int.read()) this.scheduleService(0);
    } else {
      this.pollDelay = this.pollMin;
      this.pollTimer = this.clock.setTimeout(function () { self.pollTimer = 0; self.service(); }, this.pollDelay);
    }
    if (this.healthMs > 0) this.healthTimer = this.clock.setTimeout(function () { self.healthTick(); }, this.healthMs);
    return W5500Err.OK;
  }

  /** Stops interrupt service and every timer; no event is delivered afterwards. The chip is left as it is. */
  stop(): void {
    this.ready = false;
    if (this.int && this.intWatch) this.int.unwatch(this.intWatch);
    this.intWatch = 0;
    this.serviceTimer = this.clear(this.serviceTimer);
    this.dispatchTimer = this.clear(this.dispatchTimer);
    this.pollTimer = this.clear(this.pollTimer);
    this.watchTimer = this.clear(this.watchTimer);
    this.healthTimer = this.clear(this.healthTimer);
    this.stallTimer = this.clear(this.stallTimer);
  }

  /**
   * Services the chip now and delivers what it found before returning: what the INT watch (or the
   * poll timer) and the close/space watch would do on their next turn. For blocking calls, during
   * which the event loop does not turn.
   */
  poll(): void {
    if (!this.ready || this.inService) return;
    this.service();
    if (this.ready) this.watch();
    if (this.ready) this.dispatchAll();
  }

  /** Whether the driver is up (begin succeeded and no failure since). */
  isUp(): boolean {
    return this.ready;
  }

  /** The failure reported last (0 if none). */
  failure(): number {
    return this.failErr;
  }

  // ---------------------------------------------------------------- socket operations

  /**
   * Opens hardware socket `sn` in `mode` (Sn_MR: Sn_MR.TCP / UDP / MACRAW, plus flags such as
   * Sn_MR.ND for TCP no-delay) on local `port`. Sn_SR becomes INIT, UDP or MACRAW. The socket must be
   * closed (by `close`). Resets the socket's RX/TX pointers: unread data of the previous use is gone.
   * Giving the peer (`remoteIp`, `remotePort`) here saves a frame: Sn_PORT…Sn_DPORT are written in one
   * burst, and a later `connect` (or `sendTo`) to the same peer writes nothing more.
   */
  open(sn: number, mode: number, port: number, remoteIp?: Uint8Array, remotePort?: number): number {
    const e = this.check(sn);
    if (e) return e;
    if (this.flags[sn] & F.OPEN) return W5500Err.STATE;
    const p = mode & Sn_MR.P_MASK;
    let want: number = Sn_SR.SOCK_INIT;
    if (p === Sn_MR.UDP) want = Sn_SR.SOCK_UDP;
    else if (p === Sn_MR.MACRAW) want = Sn_SR.SOCK_MACRAW;
    else if (p !== Sn_MR.TCP) return W5500Err.ARG;
    if ((p === Sn_MR.MACRAW && sn !== 0) || port < 0 || port > 0xffff) return W5500Err.ARG;
    const block = socketBlock(sn);
    if (this.mr[sn] !== (mode & 0xff)) {
      if (!this.bus.write8(SnReg.Sn_MR, block, mode)) return this.fail(W5500Err.BUS);
      this.mr[sn] = mode & 0xff;
    }
    const d = this.dest;
    const at = sn * 6;
    const preset = !!remoteIp && remoteIp.length === 4 && remotePort !== undefined && remotePort > 0 && remotePort <= 0xffff;
    if (preset) {
      // Sn_PORT (0x04), Sn_DHAR (0x06, its reset value: ARP fills it), Sn_DIPR (0x0C), Sn_DPORT (0x10)
      const f = this.frame14;
      f[0] = port >> 8;
      f[1] = port & 0xff;
      f.fill(0xff, 2, 8);
      f.set(remoteIp as Uint8Array, 8);
      f[12] = (remotePort as number) >> 8;
      f[13] = (remotePort as number) & 0xff;
      if (!this.bus.write(SnReg.Sn_PORT, block, f)) return this.fail(W5500Err.BUS);
      d.set(f.subarray(8, 14), at);
    } else if (!this.bus.write16(SnReg.Sn_PORT, block, port)) return this.fail(W5500Err.BUS);
    const r = this.command(sn, Sn_CR.OPEN);
    if (r) return r;
    let sr = this.res.sr;
    if (this.res.ir) {
      // Bits left from the previous use of the socket: not events of this one.
      if (!this.bus.write8(SnReg.Sn_IR, block, this.res.ir)) return this.fail(W5500Err.BUS);
    }
    if (sr !== want) {
      const got = this.state(sn);
      if (got < 0) return got;
      sr = got;
      if (sr !== want) return W5500Err.STATE;
    }
    this.flags[sn] = F.OPEN;
    this.proto[sn] = p;
    this.sr[sn] = sr;
    this.pend[sn] = 0;
    this.extra[sn] = 0;
    this.txFree[sn] = this.txSize[sn];
    if (preset) this.destSet |= 1 << sn;
    else this.destSet &= ~(1 << sn);
    this.active |= 1 << sn;
    this.kick();
    return W5500Err.OK;
  }

  /** TCP server: INIT → LISTEN. A connecting peer raises CON (then `peer` gives its address). */
  listen(sn: number): number {
    const e = this.checkOpen(sn, Sn_MR.TCP);
    if (e) return e;
    if (this.sr[sn] !== Sn_SR.SOCK_INIT) return W5500Err.STATE;
    // An accept fills Sn_DIPR/Sn_DPORT with the client's address.
    this.destSet &= ~(1 << sn);
    const r = this.command(sn, Sn_CR.LISTEN);
    if (r) return r;
    this.observe(sn, this.res.ir, this.res.sr);
    this.afterCall();
    return W5500Err.OK;
  }

  /**
   * TCP client: CONNECT to `ip` (4 bytes) : `port`. Completes with CON, or fails with TIMEOUT (no ARP
   * answer, no SYN/ACK) or RESET (refused).
   */
  connect(sn: number, ip: Uint8Array, port: number): number {
    const e = this.checkOpen(sn, Sn_MR.TCP);
    if (e) return e;
    if (!ip || ip.length !== 4 || port <= 0 || port > 0xffff) return W5500Err.ARG;
    if (this.sr[sn] !== Sn_SR.SOCK_INIT) return W5500Err.STATE;
    const w = this.setDest(sn, ip, port);
    if (w) return w;
    this.flags[sn] |= F.CONNECTING;
    const r = this.command(sn, Sn_CR.CONNECT);
    if (r) return r;
    this.observe(sn, this.res.ir, this.res.sr);
    this.afterCall();
    this.startWatch(Def.CONNECT_WATCH_FIRST_MS);
    return W5500Err.OK;
  }

  /**
   * Queues bytes for sending and issues SEND. Returns how many bytes were taken (possibly fewer
   * than `data.length`: what fits in the free TX space), 0 when there is no space (WRITABLE follows
   * when there is), BUSY while the previous SEND awaits SEND_OK, or an error. TCP only in
   * ESTABLISHED and CLOSE_WAIT; for UDP use `sendTo`.
   */
  send(sn: number, data: Uint8Array): number {
    const e = this.checkOpen(sn, Sn_MR.TCP);
    if (e) return e;
    const sr = this.sr[sn];
    if (sr !== Sn_SR.SOCK_ESTABLISHED && sr !== Sn_SR.SOCK_CLOSE_WAIT) return W5500Err.STATE;
    return this.transmit(sn, data, false);
  }

  /**
   * UDP: sends one datagram to `ip`:`port`. The whole datagram or nothing: returns its length, 0
   * when the TX buffer lacks room now (WRITABLE follows), MSGSIZE if it can never fit, BUSY while
   * the previous SEND awaits SEND_OK. An ARP failure shows as TIMEOUT; the socket stays open.
   */
  sendTo(sn: number, data: Uint8Array, ip: Uint8Array, port: number): number {
    const e = this.checkOpen(sn, Sn_MR.UDP);
    if (e) return e;
    if (!ip || ip.length !== 4 || port <= 0 || port > 0xffff) return W5500Err.ARG;
    if (data.length > this.txSize[sn]) return W5500Err.MSGSIZE;
    if (this.flags[sn] & F.SENDING) return W5500Err.BUSY;
    const w = this.setDest(sn, ip, port);
    if (w) return w;
    return this.transmit(sn, data, true);
  }

  /** Sn_DIPR + Sn_DPORT in one frame, skipped when they already hold this peer. */
  private setDest(sn: number, ip: Uint8Array, port: number): number {
    const d = this.dest;
    const at = sn * 6;
    if ((this.destSet & (1 << sn)) && d[at] === ip[0] && d[at + 1] === ip[1] && d[at + 2] === ip[2] &&
      d[at + 3] === ip[3] && ((d[at + 4] << 8) | d[at + 5]) === port) return W5500Err.OK;
    d.set(ip, at);
    d[at + 4] = port >> 8;
    d[at + 5] = port & 0xff;
    if (!this.bus.write(SnReg.Sn_DIPR, socketBlock(sn), d.subarray(at, at + 6))) return this.fail(W5500Err.BUS);
    this.destSet |= 1 << sn;
    return W5500Err.OK;
  }

  /**
   * Bytes waiting in the socket's RX buffer. Works in every state, also after DISCON and after
   * CLOSED, until the next `open`.
   */
  rxAvailable(sn: number): number {
    const e = this.check(sn);
    if (e) return e;
    return this.readRxAvail(sn);
  }

  /**
   * TCP: copies up to `dest.length` received bytes into `dest`, frees them in the chip (RECV) and
   * returns the count (0 when nothing is waiting). Works in every state until the next `open`, so
   * data that arrived before a FIN, a reset or our own DISCON can still be drained.
   */
  recv(sn: number, dest: Uint8Array): number {
    const e = this.check(sn);
    if (e) return e;
    if (dest.length === 0) return 0;
    const avail = this.readRxAvail(sn);
    if (avail <= 0) return avail;
    const n = avail < dest.length ? avail : dest.length;
    const r = this.readRx(sn, this.rxRd[sn], dest, 0, n);
    if (r) return r;
    return this.consume(sn, n, n);
  }

  /**
   * TCP: drops every byte waiting without moving it over SPI (Sn_RX_RD past them, then RECV), for
   * data nobody will read. Returns the count dropped (0 when none) or a W5500Err.
   */
  discard(sn: number): number {
    const e = this.check(sn);
    if (e) return e;
    const avail = this.readRxAvail(sn);
    if (avail <= 0) return avail;
    return this.consume(sn, avail, avail);
  }

  /**
   * UDP: takes one datagram. Copies its payload (up to `dest.length`; the rest of a longer one is
   * dropped) into `dest`, the sender's IP and port into `from` (6 bytes: 4 IP, 2 port big-endian),
   * and returns the datagram's full length — greater than `dest.length` means it was truncated.
   * EMPTY when none is waiting.
   */
  recvFrom(sn: number, dest: Uint8Array, from: Uint8Array): number {
    const e = this.check(sn);
    if (e) return e;
    if (this.proto[sn] !== Sn_MR.UDP) return W5500Err.STATE;
    const avail = this.readRxAvail(sn);
    if (avail < 0) return avail;
    if (avail < Chip.UDP_HEADER) return W5500Err.EMPTY;
    // Read the 8-byte header and as much payload as can belong to it in one frame.
    const room = avail - Chip.UDP_HEADER;
    const want = Chip.UDP_HEADER + (room < dest.length ? room : dest.length);
    const first = want < this.burst ? want : this.burst;
    const rd = this.rxRd[sn];
    const v = this.bus.read(rd, rxBlock(sn), first);
    if (!v) return this.fail(W5500Err.BUS);
    if (from) from.set(v.subarray(0, 6), 0);
    const len = (v[6] << 8) | v[7];
    if (Chip.UDP_HEADER + len > avail) {
      this.unknownCode = len;
      return W5500Err.UNKNOWN_CODE;
    }
    const copy = len < dest.length ? len : dest.length;
    const inFirst = first - Chip.UDP_HEADER < copy ? first - Chip.UDP_HEADER : copy;
    dest.set(v.subarray(Chip.UDP_HEADER, Chip.UDP_HEADER + inFirst), 0);
    if (inFirst < copy) {
      const r = this.readRx(sn, (rd + Chip.UDP_HEADER + inFirst) & 0xffff, dest, inFirst, copy - inFirst);
      if (r) return r;
    }
    const c = this.consume(sn, Chip.UDP_HEADER + len, len);
    return c < 0 ? c : len;
  }

  /**
   * MACRAW (socket 0): sends one Ethernet frame as given (destination MAC first). Like `sendTo`:
   * the whole frame or nothing, 0 when there is no room now (WRITABLE follows), BUSY while the
   * previous SEND awaits SEND_OK.
   */
  sendFrame(sn: number, frame: Uint8Array): number {
    const e = this.checkOpen(sn, Sn_MR.MACRAW);
    if (e) return e;
    if (frame.length > this.txSize[sn]) return W5500Err.MSGSIZE;
    return this.transmit(sn, frame, true);
  }

  /**
   * MACRAW (socket 0): takes one received frame. Each frame sits in the RX buffer behind a 2-byte
   * length that counts itself. Copies up to `dest.length` bytes and returns the frame's full length
   * (greater than `dest.length`: truncated); EMPTY when none is waiting.
   */
  recvFrame(sn: number, dest: Uint8Array): number {
    const e = this.check(sn);
    if (e) return e;
    if (this.proto[sn] !== Sn_MR.MACRAW) return W5500Err.STATE;
    const avail = this.readRxAvail(sn);
    if (avail < 0) return avail;
    if (avail < Chip.MACRAW_HEADER) return W5500Err.EMPTY;
    const room = avail - Chip.MACRAW_HEADER;
    const want = Chip.MACRAW_HEADER + (room < dest.length ? room : dest.length);
    const first = want < this.burst ? want : this.burst;
    const rd = this.rxRd[sn];
    const v = this.bus.read(rd, rxBlock(sn), first);
    if (!v) return this.fail(W5500Err.BUS);
    const total = (v[0] << 8) | v[1];
    if (total < Chip.MACRAW_HEADER || total > avail) {
      this.unknownCode = total;
      return W5500Err.UNKNOWN_CODE;
    }
    const len = total - Chip.MACRAW_HEADER;
    const copy = len < dest.length ? len : dest.length;
    const inFirst = first - Chip.MACRAW_HEADER < copy ? first - Chip.MACRAW_HEADER : copy;
    dest.set(v.subarray(Chip.MACRAW_HEADER, Chip.MACRAW_HEADER + inFirst), 0);
    if (inFirst < copy) {
      const r = this.readRx(sn, (rd + Chip.MACRAW_HEADER + inFirst) & 0xffff, dest, inFirst, copy - inFirst);
      if (r) return r;
    }
    const c = this.consume(sn, total, len);
    return c < 0 ? c : len;
  }

  /**
   * Graceful close: DISCON (our FIN). RX data keeps arriving and stays readable. Completes with
   * CLOSED (peer's FIN seen and the chip CLOSED), or TIMEOUT, or RESET. Call `close` afterwards
   * (or at any time to abort).
   */
  disconnect(sn: number): number {
    const e = this.checkOpen(sn, Sn_MR.TCP);
    if (e) return e;
    if (this.sr[sn] === Sn_SR.SOCK_CLOSED || (this.flags[sn] & F.DISCON_SENT)) return W5500Err.STATE;
    const r = this.command(sn, Sn_CR.DISCON);
    if (r) return r;
    this.flags[sn] |= F.DISCON_SENT;
    this.observe(sn, this.res.ir, this.res.sr);
    this.afterCall();
    if (this.needsWatch(sn) & 1) this.startWatch(Def.CLOSE_WATCH_FIRST_MS);
    return W5500Err.OK;
  }

  /**
   * CLOSE: Sn_SR → CLOSED at once, no FIN (the peer learns on its next segment). Releases the
   * socket for `open`; no event follows. RX data already received stays readable with `recv`
   * until the next `open`. Costs no SPI when the chip already reported the socket CLOSED.
   */
  close(sn: number): number {
    const e = this.check(sn);
    if (e) return e;
    const bit = 1 << sn;
    const known = (this.flags[sn] & F.DONE) !== 0 && this.sr[sn] === Sn_SR.SOCK_CLOSED;
    if (!known) {
      const r = this.command(sn, Sn_CR.CLOSE);
      if (r) return r;
      if (this.res.ir && !this.bus.write8(SnReg.Sn_IR, socketBlock(sn), this.res.ir)) return this.fail(W5500Err.BUS);
      this.sr[sn] = knownSr(this.res.sr) ? this.res.sr : Sn_SR.SOCK_CLOSED;
    }
    this.flags[sn] &= F.RXRD;
    this.pend[sn] = 0;
    this.extra[sn] = 0;
    this.active &= ~bit;
    this.dirty &= ~bit;
    return W5500Err.OK;
  }

  /** TCP keep-alive period in 5 s units (Sn_KPALVTR; 0 = off, probes only by `keepAlive`). */
  setKeepAlive(sn: number, period5s: number): number {
    const e = this.check(sn);
    if (e) return e;
    if (period5s < 0 || period5s > 0xff) return W5500Err.ARG;
    if (!this.bus.write8(SnReg.Sn_KPALVTR, socketBlock(sn), period5s)) return this.fail(W5500Err.BUS);
    return W5500Err.OK;
  }

  /** TCP: one keep-alive probe now (SEND_KEEP; used with Sn_KPALVTR = 0). No answer → TIMEOUT. */
  keepAlive(sn: number): number {
    const e = this.checkOpen(sn, Sn_MR.TCP);
    if (e) return e;
    if (this.sr[sn] !== Sn_SR.SOCK_ESTABLISHED && this.sr[sn] !== Sn_SR.SOCK_CLOSE_WAIT) return W5500Err.STATE;
    const r = this.command(sn, Sn_CR.SEND_KEEP);
    if (r) return r;
    this.observe(sn, this.res.ir, this.res.sr);
    this.afterCall();
    return W5500Err.OK;
  }

  /** The peer's IP and port (Sn_DIPR, Sn_DPORT) into `out` (6 bytes), e.g. after an accept. */
  peer(sn: number, out: Uint8Array): number {
    const e = this.check(sn);
    if (e) return e;
    const v = this.bus.read(SnReg.Sn_DIPR, socketBlock(sn), 6);
    if (!v) return this.fail(W5500Err.BUS);
    out.set(v, 0);
    return W5500Err.OK;
  }

  /** Reads Sn_SR now: a Sn_SR code, UNKNOWN_CODE (see `unknownCode`) or BUS. */
  state(sn: number): number {
    const e = this.check(sn);
    if (e) return e;
    const v = this.bus.read(SnReg.Sn_SR, socketBlock(sn), 1);
    if (!v) return this.fail(W5500Err.BUS);
    const sr = v[0];
    if (!knownSr(sr)) {
      this.unknownCode = sr;
      return W5500Err.UNKNOWN_CODE;
    }
    return sr;
  }

  /** The Sn_SR the driver last saw, without SPI. */
  lastState(sn: number): number {
    return this.sr[sn];
  }

  /** Whether a SEND on `sn` awaits SEND_OK. */
  sending(sn: number): boolean {
    return (this.flags[sn] & F.SENDING) !== 0;
  }

  /** Reads PHYCFGR now; returns 1 (link up), 0 (down) or an error. A change is also reported as a link event. */
  checkLink(): number {
    if (!this.ready) return W5500Err.DOWN;
    const v = this.bus.read(CommonReg.PHYCFGR, Block.Common, 1);
    if (!v) return this.fail(W5500Err.BUS);
    this.setLink((v[0] & PHYCFGR.LNK) !== 0);
    this.afterCall();
    return this.linkUp ? 1 : 0;
  }

  /**
   * Reads SIMR…VERSIONR in one frame: VERSIONR must be 0x04 (else the chip is gone), SIMR, RTR and
   * RCR must hold what we wrote (else the chip was reset), and PHYCFGR gives the link. On a failure
   * the failure event follows and the driver is down.
   */
  checkChip(): number {
    if (!this.ready) return W5500Err.DOWN;
    const r = this.health();
    this.afterCall();
    return r;
  }

  // ---------------------------------------------------------------- internals: data path

  private transmit(sn: number, data: Uint8Array, whole: boolean): number {
    let f = this.flags[sn];
    if (f & F.SENDING) return W5500Err.BUSY;
    const size = this.txSize[sn];
    let n = data.length;
    if (n === 0) return 0;
    if (n > size) n = size;
    if (this.txFree[sn] < n) {
      const free = this.readTxFree(sn);
      if (free < 0) return free;
    } else if (!(f & F.TXWR)) {
      // Free space is known (nothing sent since OPEN or CON); only the pointer is needed, and the chip
      // does not move Sn_TX_WR on its own, so one read is enough.
      const v = this.bus.read(SnReg.Sn_TX_WR, socketBlock(sn), 2);
      if (!v) return this.fail(W5500Err.BUS);
      this.txWr[sn] = (v[0] << 8) | v[1];
      this.flags[sn] |= F.TXWR;
    }
    f = this.flags[sn];
    const free = this.txFree[sn];
    if (free < n) {
      if (whole || free === 0) {
        this.flags[sn] = f | F.WANT_SPACE;
        this.startWatch(Def.CLOSE_WATCH_FIRST_MS);
        return 0;
      }
      n = free;
    }
    const block = txBlock(sn);
    const wr = this.txWr[sn];
    // The chip wraps the offset inside the socket's buffer: one burst per maxBurst, never split at the end.
    for (let off = 0; off < n; off += this.burst) {
      const end = off + this.burst < n ? off + this.burst : n;
      if (!this.bus.write((wr + off) & 0xffff, block, data.subarray(off, end))) return this.fail(W5500Err.BUS);
    }
    const next = (wr + n) & 0xffff;
    if (!this.bus.write16(SnReg.Sn_TX_WR, socketBlock(sn), next)) return this.fail(W5500Err.BUS);
    this.txWr[sn] = next;
    this.txFree[sn] = free - n;
    this.flags[sn] = (f | F.SENDING) & ~(F.WANT_SPACE | F.STALLED);
    this.sendAt[sn] = this.clock.now();
    const r = this.command(sn, Sn_CR.SEND);
    if (r) return r;
    this.observe(sn, this.res.ir, this.res.sr);
    this.afterCall();
    this.startStallTimer();
    return n;
  }

  /** Sn_TX_FSR (stable), and Sn_TX_WR with it the first time after OPEN or connection set-up. */
  private readTxFree(sn: number): number {
    const block = socketBlock(sn);
    const withWr = !(this.flags[sn] & F.TXWR);
    const rest = this.scratch;
    const v = readStable(this.bus, SnReg.Sn_TX_FSR, block, withWr ? 6 : 2, withWr ? rest : undefined);
    if (v < 0) return v === W5500Err.BUS ? this.fail(v) : v;
    if (withWr) {
      this.txWr[sn] = (rest[2] << 8) | rest[3];
      this.flags[sn] |= F.TXWR;
    }
    this.txFree[sn] = v > this.txSize[sn] ? this.txSize[sn] : v;
    return this.txFree[sn];
  }

  /**
   * Bytes waiting. While the socket lives: Sn_RX_RSR (stable), with Sn_RX_RD the first time. Once it
   * is CLOSED the chip may ignore RECV, so the count is Sn_RX_WR minus our own read pointer.
   */
  private readRxAvail(sn: number): number {
    const block = socketBlock(sn);
    const f = this.flags[sn];
    if (this.sr[sn] === Sn_SR.SOCK_CLOSED && (f & F.RXRD)) {
      const v = this.bus.read(SnReg.Sn_RX_WR, block, 2);
      if (!v) return this.fail(W5500Err.BUS);
      const n = (((v[0] << 8) | v[1]) - this.rxRd[sn]) & 0xffff;
      return n > this.rxSize[sn] ? this.rxSize[sn] : n;
    }
    const withRd = !(f & F.RXRD);
    const rest = this.scratch;
    const n = readStable(this.bus, SnReg.Sn_RX_RSR, block, withRd ? 4 : 2, withRd ? rest : undefined);
    if (n < 0) return n === W5500Err.BUS ? this.fail(n) : n;
    if (withRd) {
      this.rxRd[sn] = (rest[0] << 8) | rest[1];
      this.flags[sn] |= F.RXRD;
    }
    return n > this.rxSize[sn] ? this.rxSize[sn] : n;
  }

  private readRx(sn: number, from: number, dest: Uint8Array, at: number, n: number): number {
    const block = rxBlock(sn);
    for (let off = 0; off < n; off += this.burst) {
      const len = off + this.burst < n ? this.burst : n - off;
      const v = this.bus.read((from + off) & 0xffff, block, len);
      if (!v) return this.fail(W5500Err.BUS);
      dest.set(v, at + off);
    }
    return W5500Err.OK;
  }

  /** Moves Sn_RX_RD past `n` bytes and issues RECV (skipped once CLOSED: our pointer is enough). */
  private consume(sn: number, n: number, ret: number): number {
    const next = (this.rxRd[sn] + n) & 0xffff;
    this.rxRd[sn] = next;
    if (this.sr[sn] === Sn_SR.SOCK_CLOSED) return ret;
    if (!this.bus.write16(SnReg.Sn_RX_RD, socketBlock(sn), next)) return this.fail(W5500Err.BUS);
    const r = this.command(sn, Sn_CR.RECV);
    if (r) return r;
    this.observe(sn, this.res.ir, this.res.sr);
    this.afterCall();
    return ret;
  }

  // ---------------------------------------------------------------- internals: commands and checks

  private check(sn: number): number {
    if (!this.ready) return W5500Err.DOWN;
    if (typeof sn !== 'number' || (sn >>> 0) !== sn || sn >= Chip.SOCKETS) return W5500Err.ARG;
    return W5500Err.OK;
  }

  private checkOpen(sn: number, p: number): number {
    const e = this.check(sn);
    if (e) return e;
    if (!(this.flags[sn] & F.OPEN)) return W5500Err.STATE;
    if (this.proto[sn] !== p) return W5500Err.STATE;
    return W5500Err.OK;
  }

  /** execCommand, with a stuck Sn_CR or a bus failure taken as a chip failure. */
  private command(sn: number, cr: number): number {
    const r = execCommand(this.bus, this.clock, sn, cr, this.cmdMs, this.res);
    if (r === W5500Err.OK) return r;
    if (r === W5500Err.CMD_STUCK) {
      // Name the cause if the chip is gone or was reset; otherwise the stuck command itself.
      if (this.health() !== W5500Err.OK) return this.failErr;
    }
    return this.fail(r);
  }

  /**
   * Takes what one read of Sn_IR and Sn_SR showed: clears the bits it saw (write 1 to clear) and
   * queues them for dispatch. A state code we do not know triggers a chip check instead.
   */
  private observe(sn: number, ir: number, sr: number): void {
    if (!knownSr(sr)) {
      this.unknownCode = sr;
      this.health();
      return;
    }
    ir &= Sn_IR.ALL;
    if (ir) {
      if (!this.bus.write8(SnReg.Sn_IR, socketBlock(sn), ir)) {
        this.fail(W5500Err.BUS);
        return;
      }
      this.pend[sn] |= ir;
    }
    if (sr !== this.sr[sn]) {
      this.sr[sn] = sr;
      this.dirty |= 1 << sn;
    }
  }

  /** After an API call: deliver what it observed on a later turn, and poll sooner if polling. */
  private afterCall(): void {
    if (this.inService) return;
    this.kick();
    if (this.dispatchTimer || !this.hasWork()) return;
    const self = this;
    this.dispatchTimer = this.clock.setTimeout(function () { self.dispatchTimer = 0; self.dispatchAll(); }, 0);
  }

  private hasWork(): boolean {
    if (this.failDirty || this.linkDirty || this.dirty) return true;
    for (let sn = 0; sn < Chip.SOCKETS; sn++) if (this.pend[sn] || this.extra[sn]) return true;
    return false;
  }

  /** The chip failed: stop, and report it once, on a later turn. */
  private fail(err: number): number {
    if (!this.ready) return err;
    this.failErr = err;
    this.failDirty = true;
    this.stop();
    const self = this;
    this.dispatchTimer = this.clock.setTimeout(function () { self.dispatchTimer = 0; self.dispatchAll(); }, 0);
    return err;
  }

  private health(): number {
    const v = this.bus.read(CommonReg.SIMR, Block.Common, CommonReg.VERSIONR - CommonReg.SIMR + 1);
    if (!v) return this.fail(W5500Err.BUS);
    const d = diagnoseVersion(v, CommonReg.VERSIONR - CommonReg.SIMR);
    if (d) return this.fail(d);
    const rtr = (v[CommonReg.RTR - CommonReg.SIMR] << 8) | v[CommonReg.RTR - CommonReg.SIMR + 1];
    if (v[0] !== Def.SIMR_ALL || rtr !== this.rtr || v[CommonReg.RCR - CommonReg.SIMR] !== this.rcr) return this.fail(W5500Err.CHIP_RESET);
    this.setLink((v[CommonReg.PHYCFGR - CommonReg.SIMR] & PHYCFGR.LNK) !== 0);
    return W5500Err.OK;
  }

  private setLink(up: boolean): void {
    if (up === this.linkUp) return;
    this.linkUp = up;
    this.linkDirty = true;
  }

  private clear(handle: number): number {
    if (handle) this.clock.clearTimeout(handle);
    return 0;
  }

  // ---------------------------------------------------------------- internals: events

  private dispatchAll(): void {
    if (this.failDirty) {
      this.failDirty = false;
      this.linkDirty = false;
      this.handler.failure(this.failErr);
      return;
    }
    if (!this.ready) return;
    if (this.linkDirty) {
      this.linkDirty = false;
      this.handler.link(this.linkUp);
    }
    for (let sn = 0; sn < Chip.SOCKETS && this.ready; sn++) {
      if (this.pend[sn] || this.extra[sn] || (this.dirty & (1 << sn))) this.dispatch(sn);
    }
  }

  private emit(sn: number, ev: number): boolean {
    if (!this.ready || !(this.flags[sn] & F.OPEN)) return false;
    this.handler.socket(sn, ev);
    return this.ready && (this.flags[sn] & F.OPEN) !== 0;
  }

  /** One socket's queued bits, in the documented order, then the closing event if Sn_SR says CLOSED. */
  private dispatch(sn: number): void {
    const ir = this.pend[sn];
    const x = this.extra[sn];
    this.pend[sn] = 0;
    this.extra[sn] = 0;
    this.dirty &= ~(1 << sn);
    let f = this.flags[sn];
    if (!(f & F.OPEN)) return;
    const sr = this.sr[sn];
    const tcp = this.proto[sn] === Sn_MR.TCP;
    if (ir & Sn_IR.CON) {
      // Connection set-up re-initialises the TX pointers: read them again before the first SEND.
      this.flags[sn] = f = (f | F.CON_SEEN) & ~(F.CONNECTING | F.TXWR);
      this.txFree[sn] = this.txSize[sn];
      if (!this.emit(sn, SnEvent.CON)) return;
    }
    if ((ir & Sn_IR.SEND_OK) && (this.flags[sn] & F.SENDING)) {
      this.flags[sn] &= ~(F.SENDING | F.STALLED);
      if (!tcp) this.txFree[sn] = this.txSize[sn];
      if (!this.emit(sn, SnEvent.SEND_OK)) return;
    }
    if ((x & X.WRITABLE) && !this.emit(sn, SnEvent.WRITABLE)) return;
    if ((x & X.STALLED) && (this.flags[sn] & F.SENDING) && !this.emit(sn, SnEvent.SEND_STALLED)) return;
    if ((ir & Sn_IR.RECV) && !this.emit(sn, SnEvent.RECV)) return;
    f = this.flags[sn];
    const reset = tcp && sr === Sn_SR.SOCK_CLOSED && !(f & (F.DISCON_SENT | F.FIN_SEEN)) && !(ir & Sn_IR.TIMEOUT);
    if ((ir & Sn_IR.DISCON) && !reset) {
      this.flags[sn] |= F.FIN_SEEN;
      if ((f & F.DISCON_SENT) && sr !== Sn_SR.SOCK_CLOSED) this.startWatch(Def.CLOSE_WATCH_FIRST_MS);
      if (!this.emit(sn, SnEvent.DISCON)) return;
    }
    if (ir & Sn_IR.TIMEOUT) {
      this.flags[sn] &= ~(F.SENDING | F.CONNECTING);
      if (tcp) this.flags[sn] |= F.DONE;
      if (!this.emit(sn, SnEvent.TIMEOUT)) return;
    }
    f = this.flags[sn];
    if (tcp && sr === Sn_SR.SOCK_CLOSED && !(f & F.DONE)) {
      this.flags[sn] = (f | F.DONE) & ~(F.SENDING | F.CONNECTING | F.WANT_SPACE);
      // Our DISCON finished: after the FIN exchange, or at once on a connection never established.
      if ((f & F.DISCON_SENT) && (f & (F.FIN_SEEN | F.CON_SEEN)) !== F.CON_SEEN) {
        this.emit(sn, SnEvent.CLOSED);
        return;
      }
      // CLOSED without FIN or TIMEOUT is a reset — unless the whole chip was reset.
      if (this.health() !== W5500Err.OK) return;
      this.emit(sn, SnEvent.RESET);
    }
  }

  // ---------------------------------------------------------------- internals: interrupt service and polling

  private scheduleService(ms: number): void {
    if (this.serviceTimer || !this.ready) return;
    const self = this;
    this.serviceTimer = this.clock.setTimeout(function () { self.serviceTimer = 0; self.service(); }, ms);
  }

  /** Without INT: any call may start activity, so look again soon. */
  private kick(): void {
    if (this.int || !this.ready || this.pollDelay === this.pollMin) return;
    this.pollDelay = this.pollMin;
    this.pollTimer = this.clear(this.pollTimer);
    const self = this;
    this.pollTimer = this.clock.setTimeout(function () { self.pollTimer = 0; self.service(); }, this.pollDelay);
  }

  /**
   * One service: SIR → each flagged socket's Sn_IR + Sn_SR in one read → clear what was read →
   * dispatch; repeated until INTn is high again (or SIR reads 0 when polling), so no edge is lost.
   * With INT wired and INTn high, it reads nothing at all.
   */
  private service(): void {
    if (!this.ready) return;
    this.inService = true;
    let found = false;
    let stuck = false;
    const int = this.int;
    let pass = 0;
    for (; pass < Def.SERVICE_PASSES && this.ready; pass++) {
      if (int && int.read()) break;
      // One socket in use and INTn low: it is almost surely that socket, so skip SIR.
      const only = this.onlyActive();
      if (int && only >= 0) {
        const v = this.bus.read(SnReg.Sn_IR, socketBlock(only), 2);
        if (!v) { this.fail(W5500Err.BUS); break; }
        const ir = v[0];
        const sr = v[1];
        if (ir & Sn_IR.ALL) {
          this.observe(only, ir, sr);
          found = true;
          continue;
        }
      }
      const s = this.bus.read(CommonReg.SIR, Block.Common, 1);
      if (!s) { this.fail(W5500Err.BUS); break; }
      const sir = s[0];
      if (sir === 0) {
        if (int) {
          // INTn low with no socket flagged (IMR is 0): the chip is gone, reset, or the line is noisy.
          if (this.health() === W5500Err.OK) stuck = true;
        }
        break;
      }
      found = true;
      for (let sn = 0; sn < Chip.SOCKETS; sn++) {
        if (!(sir & (1 << sn))) continue;
        const v = this.bus.read(SnReg.Sn_IR, socketBlock(sn), 2);
        if (!v) { this.fail(W5500Err.BUS); break; }
        const ir = v[0];
        const sr = v[1];
        this.observe(sn, ir, sr);
      }
    }
    this.inService = false;
    this.dispatchAll();
    if (!this.ready) return;
    const self = this;
    if (int) {
      // Still low after every pass: something we cannot clear; come back later rather than spin.
      if (!int.read()) this.scheduleService(stuck || pass === Def.SERVICE_PASSES ? Def.STUCK_INT_MS : 0);
    } else if (!this.pollTimer) {
      this.pollDelay = found ? this.pollMin : (this.pollDelay * 2 < this.pollMax ? this.pollDelay * 2 : this.pollMax);
      this.pollTimer = this.clock.setTimeout(function () { self.pollTimer = 0; self.service(); }, this.pollDelay);
    }
  }

  private onlyActive(): number {
    const a = this.active;
    if (a === 0 || (a & (a - 1)) !== 0) return -1;
    for (let sn = 0; sn < Chip.SOCKETS; sn++) if (a === 1 << sn) return sn;
    return -1;
  }

  /**
   * Polls what the chip does not interrupt for: a socket closing after our DISCON (TIME_WAIT and
   * LAST_ACK end in CLOSED silently), a CONNECT that may be refused silently, TX space coming back.
   */
  private startWatch(first: number): void {
    if (!this.ready) return;
    const due = this.clock.now() + first;
    if (this.watchTimer && this.watchDue <= due) return;
    this.watchTimer = this.clear(this.watchTimer);
    this.watchDelay = first;
    this.watchDue = due;
    const self = this;
    this.watchTimer = this.clock.setTimeout(function () { self.watchTimer = 0; self.watch(); }, first);
  }

  private needsWatch(sn: number): number {
    const f = this.flags[sn];
    if (!(f & F.OPEN)) return 0;
    let w = 0;
    // After our DISCON the peer's FIN and a TIMEOUT raise interrupts; only the ends of TIME_WAIT,
    // LAST_ACK and CLOSING (after the FIN exchange) are silent, so only then is Sn_SR polled.
    if (!(f & F.DONE) && (((f & F.DISCON_SENT) && (f & (F.FIN_SEEN | F.CON_SEEN)) !== F.CON_SEEN) || (f & F.CONNECTING))) w |= 1;
    if (f & F.WANT_SPACE) w |= 2;
    return w;
  }

  private watch(): void {
    if (!this.ready) return;
    for (let sn = 0; sn < Chip.SOCKETS && this.ready; sn++) {
      const w = this.needsWatch(sn);
      if (w & 1) {
        const v = this.bus.read(SnReg.Sn_IR, socketBlock(sn), 2);
        if (!v) { this.fail(W5500Err.BUS); return; }
        const ir = v[0];
        const sr = v[1];
        this.observe(sn, ir, sr);
      }
      if ((w & 2) && this.ready && !(this.flags[sn] & F.SENDING)) {
        const free = this.readTxFree(sn);
        if (free > 0) {
          this.flags[sn] &= ~F.WANT_SPACE;
          this.extra[sn] |= X.WRITABLE;
        }
      }
    }
    this.dispatchAll();
    let again = false;
    for (let sn = 0; sn < Chip.SOCKETS; sn++) if (this.needsWatch(sn)) again = true;
    if (!again || !this.ready || this.watchTimer) return;
    this.watchDelay = this.watchDelay * 2 < Def.WATCH_MAX_MS ? this.watchDelay * 2 : Def.WATCH_MAX_MS;
    this.watchDue = this.clock.now() + this.watchDelay;
    const self = this;
    this.watchTimer = this.clock.setTimeout(function () { self.watchTimer = 0; self.watch(); }, this.watchDelay);
  }

  private startStallTimer(): void {
    if (this.stallTimer || !this.ready) return;
    const self = this;
    this.stallTimer = this.clock.setTimeout(function () { self.stallTimer = 0; self.stallCheck(); }, this.stallMs);
  }

  /** SEND_OK overdue: look at the socket and the chip (link, presence) before telling the layer above. */
  private stallCheck(): void {
    if (!this.ready) return;
    const now = this.clock.now();
    let next = -1;
    let checked = false;
    for (let sn = 0; sn < Chip.SOCKETS && this.ready; sn++) {
      const f = this.flags[sn];
      if (!(f & F.SENDING) || (f & F.STALLED)) continue;
      const due = this.sendAt[sn] + this.stallMs;
      if (due > now) {
        if (next < 0 || due < next) next = due;
        continue;
      }
      const v = this.bus.read(SnReg.Sn_IR, socketBlock(sn), 2);
      if (!v) { this.fail(W5500Err.BUS); return; }
      const ir = v[0];
      const sr = v[1];
      this.observe(sn, ir, sr);
      if (!checked) {
        checked = true;
        if (this.health() !== W5500Err.OK) break;
      }
      if ((this.flags[sn] & F.SENDING) && !(this.pend[sn] & Sn_IR.SEND_OK)) {
        this.flags[sn] |= F.STALLED;
        this.extra[sn] |= X.STALLED;
      }
    }
    this.dispatchAll();
    if (next >= 0 && this.ready && !this.stallTimer) {
      const self = this;
      this.stallTimer = this.clock.setTimeout(function () { self.stallTimer = 0; self.stallCheck(); }, next - now);
    }
  }

  private healthTick(): void {
    this.healthTimer = 0;
    if (!this.ready) return;
    this.health();
    this.dispatchAll();
    if (!this.ready) return;
    const self = this;
    this.healthTimer = this.clock.setTimeout(function () { self.healthTick(); }, this.healthMs);
  }
}
