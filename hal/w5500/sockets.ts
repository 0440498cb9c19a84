import { Block, Chip, CommonReg, PHYCFGR, SnReg, Sn_CR, Sn_MR, Sn_SR, socketBlock } from './registers';
import { W5500Err } from './errors';
import { StaleReport, closeStaleSockets, commonConfigured, configure, diagnoseCommon, readCommon, resetChip } from './bringup';
import { Def, F, knownSr } from './state';
import type { W5500Options } from './state';
import { W5500Ring } from './ring';

/**
 * The W5500 driver without records: bring-up and the hardware sockets' commands (TCP). Every call is synchronous
 * and returns a result code (W5500Err, negative) or a count; events go up through the handler, always from a later
 * turn of the event loop, never from inside a call. The rest of the driver is layered below this file, one job
 * each: state.ts (options and per-socket state), faults.ts (failure, health, SEND stalls), service.ts (interrupt
 * service, polling, event delivery, watches), ring.ts (the TX/RX rings); records.ts (datagrams and MACRAW frames)
 * above it, and driver.ts the whole driver. A build without datagrams runs this class alone.
 */
export class W5500Sockets extends W5500Ring {
  constructor(opts: W5500Options) {
    super(opts);
  }

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
    const v = readCommon(this.bus);
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
    for (let sn = 0; sn < Chip.SOCKETS; sn++) {
      this.txSize[sn] = this.txKB[sn] * 1024;
      this.rxSize[sn] = this.rxKB[sn] * 1024;
    }
    const phy = configure(this.bus, this.net, this.rtr, this.rcr, this.txKB, this.rxKB, this.scratch);
    if (phy < 0) return phy;
    this.linkUp = (phy & PHYCFGR.LNK) !== 0;
    this.flags.fill(0);
    this.pend.fill(0);
    this.extra.fill(0);
    this.mr.fill(0);
    this.sr.fill(Sn_SR.SOCK_CLOSED);
    this.active = 0;
    this.dirty = 0;
    this.queued = 0;
    this.watched = 0;
    this.txHeld.fill(0);
    this.rxKnown.fill(0);
    this.destSet = 0;
    this.ready = true;
    this.startService();
    this.startHealthTimer();
    return W5500Err.OK;
  }

  /**
   * Writes new network settings after bring-up (e.g. from DHCP): GAR, SUBR and SIPR, 4 bytes each,
   * with SHAR as it was, in one frame. Open sockets keep running. Returns OK or an error code.
   */
  setNetwork(ip: Uint8Array, subnet: Uint8Array, gateway: Uint8Array): number {
    if (!this.ready) return W5500Err.DOWN;
    if (!ip || ip.length !== 4 || !subnet || subnet.length !== 4 || !gateway || gateway.length !== 4) return W5500Err.ARG;
    this.net.set(gateway, 0);
    this.net.set(subnet, 4);
    this.net.set(ip, 14);
    if (!this.bus.write(CommonReg.GAR, Block.Common, this.net)) return this.fail(W5500Err.BUS);
    return W5500Err.OK;
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
    this.queued &= ~(1 << sn);
    this.txFree[sn] = this.txSize[sn];
    this.txHeld[sn] = 0;
    this.rxKnown[sn] = 0;
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
    this.startWatch(sn, Def.CONNECT_WATCH_FIRST_MS);
    return W5500Err.OK;
  }

  /**
   * Writes bytes into the TX ring and sends them: at once with one SEND, or — while a SEND awaits
   * SEND_OK — together with everything else written meanwhile in one SEND at SEND_OK. Returns how
   * many bytes were taken (possibly fewer than `data.length`: what fits in the free TX space), 0
   * when there is no space (WRITABLE follows when there is), or an error. TCP only in ESTABLISHED
   * and CLOSE_WAIT; for UDP use `sendTo`.
   */
  send(sn: number, data: Uint8Array): number {
    const e = this.checkOpen(sn, Sn_MR.TCP);
    if (e) return e;
    const sr = this.sr[sn];
    if (sr !== Sn_SR.SOCK_ESTABLISHED && sr !== Sn_SR.SOCK_CLOSE_WAIT) return W5500Err.STATE;
    return this.transmit(sn, data, false);
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
    // Bytes the last count showed are still there (only RECV frees them); beyond them, a RECV interrupt follows.
    const known = this.rxKnown[sn];
    const avail = known > 0 ? known : this.readRxAvail(sn);
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
    if (this.needsWatch(sn) & 1) this.startWatch(sn, Def.CLOSE_WATCH_FIRST_MS);
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
    this.txHeld[sn] = 0;
    this.active &= ~bit;
    this.dirty &= ~bit;
    this.queued &= ~bit;
    this.watched &= ~bit;
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

  /**
   * The peer's MAC address (Sn_DHAR) into `out` (6 bytes). The chip fills it from the ARP reply;
   * `open` with a peer leaves it FF:FF:FF:FF:FF:FF, so that after a TIMEOUT means ARP got no answer.
   */
  peerMac(sn: number, out: Uint8Array): number {
    const e = this.check(sn);
    if (e) return e;
    const v = this.bus.read(SnReg.Sn_DHAR, socketBlock(sn), 6);
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

  /** Whether a SEND on `sn` awaits SEND_OK, or written bytes await their SEND. */
  sending(sn: number): boolean {
    return (this.flags[sn] & F.SENDING) !== 0 || this.txHeld[sn] > 0;
  }

  /** Sn_DIPR + Sn_DPORT in one frame, skipped when they already hold this peer. */
  protected setDest(sn: number, ip: Uint8Array, port: number): number {
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
}
