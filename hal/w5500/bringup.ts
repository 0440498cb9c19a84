import type { Clock } from '../clock';
import type { OutputPin } from '../pins';
import type { W5500Bus } from './bus';
import { Block, Chip, CommonReg, CommonSize, MR, SnReg, Sn_CR, Sn_IR, Sn_SR, VERSIONR, socketBlock } from './registers';
import { W5500Err } from './errors';
import { CommandResult, execCommand } from './command';

/** Bounds of the bring-up waits. */
const enum Wait {
  /** RSTn low time: the datasheet asks for ≥ 500 µs */
  RST_LOW_MS = 1,
  /** MR.RST / post-RSTn polls, 1 ms apart (Arduino polls MR 20 × 1 ms) */
  RESET_POLLS = 20,
}

const enum Setting {
  /** SIMR: every socket may assert INTn; IMR stays 0 (common IR events are not used) */
  SIMR_ALL = 0xff,
}

/**
 * Why a read of the common block does not look like a W5500: MISO all 0xFF means nothing drives
 * it (no chip, no power, wrong CS); all 0x00 means it is held low (wiring, chip in reset).
 */
export function diagnoseCommon(v: Uint8Array): number {
  return diagnoseVersion(v, CommonReg.VERSIONR);
}

/** As diagnoseCommon, for any run of common registers that holds VERSIONR at `at`. */
export function diagnoseVersion(v: Uint8Array, at: number): number {
  if (v[at] === VERSIONR.W5500) return W5500Err.OK;
  let ff = true;
  let zero = true;
  for (let i = 0; i < v.length; i++) {
    if (v[i] !== 0xff) ff = false;
    if (v[i] !== 0) zero = false;
  }
  if (ff) return W5500Err.NO_CHIP;
  if (zero) return W5500Err.WIRING;
  return W5500Err.BAD_VERSION;
}

/** Has anyone set the chip up since its last reset? Only then can sockets be left open on it. */
export function commonConfigured(v: Uint8Array): boolean {
  for (let i = CommonReg.GAR; i < CommonReg.INTLEVEL; i++) if (v[i] !== 0) return true;
  return v[CommonReg.SIMR] !== 0;
}

/** What the stale-socket sweep did, for the log and the tests. */
export class StaleReport {
  /** sockets found not CLOSED */
  found = 0;
  /** of those, closed by the FIN exchange (or a TIMEOUT) within the bound */
  graceful = 0;
  /** closed with CLOSE (hard option, non-TCP state, or the bound ran out) */
  forced = 0;
}

function isConnected(sr: number): boolean {
  return sr === Sn_SR.SOCK_ESTABLISHED || sr === Sn_SR.SOCK_CLOSE_WAIT;
}

function isClosing(sr: number): boolean {
  return sr === Sn_SR.SOCK_FIN_WAIT || sr === Sn_SR.SOCK_CLOSING || sr === Sn_SR.SOCK_TIME_WAIT || sr === Sn_SR.SOCK_LAST_ACK;
}

/**
 * Connections left on the chip by an MCU reset (the chip kept running) are ended before the chip
 * is reset, so peers see a FIN rather than silence: DISCON, wait up to `boundMs` for CLOSED or
 * TIMEOUT, then CLOSE what is left. With `hard`, every open socket gets CLOSE at once.
 */
export function closeStaleSockets(bus: W5500Bus, clock: Clock, hard: boolean, boundMs: number, cmdTimeoutMs: number, report: StaleReport): number {
  const res = new CommandResult();
  let waiting = 0;
  for (let sn = 0; sn < Chip.SOCKETS; sn++) {
    const v = bus.read(SnReg.Sn_SR, socketBlock(sn), 1);
    if (!v) return W5500Err.BUS;
    const sr = v[0];
    if (sr === Sn_SR.SOCK_CLOSED) continue;
    report.found++;
    let err: number = W5500Err.OK;
    if (!hard && isConnected(sr)) {
      err = execCommand(bus, clock, sn, Sn_CR.DISCON, cmdTimeoutMs, res);
      waiting |= 1 << sn;
    } else if (!hard && isClosing(sr)) {
      waiting |= 1 << sn;
    } else {
      err = execCommand(bus, clock, sn, Sn_CR.CLOSE, cmdTimeoutMs, res);
      report.forced++;
    }
    if (err !== W5500Err.OK) return err;
  }
  const start = clock.now();
  let step = 1;
  while (waiting !== 0 && clock.now() - start < boundMs) {
    clock.pause(step);
    step = Math.min(step * 2, 50);
    for (let sn = 0; sn < Chip.SOCKETS; sn++) {
      if (!(waiting & (1 << sn))) continue;
      const v = bus.read(SnReg.Sn_IR, socketBlock(sn), 2);
      if (!v) return W5500Err.BUS;
      if (v[1] === Sn_SR.SOCK_CLOSED || (v[0] & Sn_IR.TIMEOUT)) {
        waiting &= ~(1 << sn);
        report.graceful++;
      }
    }
  }
  for (let sn = 0; sn < Chip.SOCKETS; sn++) {
    if (!(waiting & (1 << sn))) continue;
    const err = execCommand(bus, clock, sn, Sn_CR.CLOSE, cmdTimeoutMs, res);
    if (err !== W5500Err.OK) return err;
    report.forced++;
  }
  return W5500Err.OK;
}

/**
 * Resets the chip: an RSTn pulse when the board wires the pin (then waits for VERSIONR to answer),
 * else MR.RST, polled until it clears. Both bounded.
 */
export function resetChip(bus: W5500Bus, clock: Clock, rst: OutputPin | undefined): number {
  if (rst) {
    rst.write(false);
    clock.pause(Wait.RST_LOW_MS);
    rst.write(true);
    for (let i = 0; i < Wait.RESET_POLLS; i++) {
      clock.pause(1);
      const v = bus.read(CommonReg.VERSIONR, Block.Common, 1);
      if (!v) return W5500Err.BUS;
      if (v[0] === VERSIONR.W5500) return W5500Err.OK;
    }
    return W5500Err.RESET_STUCK;
  }
  if (!bus.write8(CommonReg.MR, Block.Common, MR.RST)) return W5500Err.BUS;
  for (let i = 0; i < Wait.RESET_POLLS; i++) {
    const v = bus.read(CommonReg.MR, Block.Common, 1);
    if (!v) return W5500Err.BUS;
    if (!(v[0] & MR.RST)) return W5500Err.OK;
    clock.pause(1);
  }
  return W5500Err.RESET_STUCK;
}

/** The whole common register block, 0x0000–0x0039, in one read. */
export function readCommon(bus: W5500Bus): Uint8Array | undefined {
  return bus.read(CommonReg.MR, Block.Common, CommonSize.Length);
}

/**
 * Writes the settings into a freshly reset chip and reads them back: GAR…SIPR (`net`, 18 bytes) in
 * one burst, SIMR+RTR+RCR in one burst, the buffer sizes that differ from the reset value (2 KB)
 * with the shrinking ones first, so the per-direction sum never passes 16 KB on the way. Returns
 * PHYCFGR as read back (≥ 0), or an error: CONFIG when the chip does not hold what was written.
 */
export function configure(bus: W5500Bus, net: Uint8Array, rtr: number, rcr: number, txKB: Uint8Array, rxKB: Uint8Array,
  scratch: Uint8Array): number {
  if (!bus.write(CommonReg.GAR, Block.Common, net)) return W5500Err.BUS;
  const s = scratch;
  s[0] = Setting.SIMR_ALL;
  s[1] = rtr >> 8;
  s[2] = rtr & 0xff;
  s[3] = rcr;
  if (!bus.write(CommonReg.SIMR, Block.Common, s.subarray(0, 4))) return W5500Err.BUS;
  for (let pass = 0; pass < 2; pass++) {
    for (let sn = 0; sn < Chip.SOCKETS; sn++) {
      const t = txKB[sn];
      const r = rxKB[sn];
      if (t === 2 && r === 2) continue;
      if ((pass === 0) !== (t <= 2 && r <= 2)) continue;
      s[0] = r;
      s[1] = t;
      if (!bus.write(SnReg.Sn_RXBUF_SIZE, socketBlock(sn), s.subarray(0, 2))) return W5500Err.BUS;
    }
  }
  const v = readCommon(bus);
  if (!v) return W5500Err.BUS;
  const err = diagnoseCommon(v);
  if (err) return err;
  for (let i = 0; i < 18; i++) if (v[CommonReg.GAR + i] !== net[i]) return W5500Err.CONFIG;
  if (v[CommonReg.SIMR] !== Setting.SIMR_ALL || ((v[CommonReg.RTR] << 8) | v[CommonReg.RTR + 1]) !== rtr ||
    v[CommonReg.RCR] !== rcr) return W5500Err.CONFIG;
  return v[CommonReg.PHYCFGR];
}

/** Does a read of SIMR…VERSIONR (`v`) still show what `configure` wrote? Else the chip was reset. */
export function stillConfigured(v: Uint8Array, rtr: number, rcr: number): boolean {
  const r = (v[CommonReg.RTR - CommonReg.SIMR] << 8) | v[CommonReg.RTR - CommonReg.SIMR + 1];
  return v[0] === Setting.SIMR_ALL && r === rtr && v[CommonReg.RCR - CommonReg.SIMR] === rcr;
}
