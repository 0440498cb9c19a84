import { Block, Chip, CommonReg, PHYCFGR, SnReg, Sn_IR, socketBlock } from './registers';
import { W5500Err } from './errors';
import { execCommand } from './command';
import { diagnoseVersion, stillConfigured } from './bringup';
import { F, W5500State, X } from './state';

/**
 * Faults and health: how the driver notices that the chip is gone, was reset, lost its link, or
 * that a SEND never completes, and how it stops and reports that once. The event delivery it
 * reports through is the interrupt service's (service.ts).
 */
export abstract class W5500Faults extends W5500State {
  protected abstract observe(sn: number, ir: number, sr: number): void;
  protected abstract afterCall(): void;
  protected abstract dispatchAll(): void;

  /** Stops interrupt service and every deadline; no event is delivered afterwards. The chip is left as it is. */
  stop(): void {
    this.ready = false;
    if (this.int && this.intWatch) this.int.unwatch(this.intWatch);
    this.intWatch = 0;
    this.pollDue = -1;
    this.watchDue = -1;
    this.healthDue = -1;
    this.stallDue = -1;
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

  /** The chip failed: stop, and report it once, on a later turn. */
  protected fail(err: number): number {
    if (!this.ready) return err;
    this.failErr = err;
    this.failDirty = true;
    this.stop();
    // told by the next poll(), on a later turn
    this.wake(this.clock.now());
    return err;
  }

  protected health(): number {
    const v = this.bus.read(CommonReg.SIMR, Block.Common, CommonReg.VERSIONR - CommonReg.SIMR + 1);
    if (!v) return this.fail(W5500Err.BUS);
    const d = diagnoseVersion(v, CommonReg.VERSIONR - CommonReg.SIMR);
    if (d) return this.fail(d);
    if (!stillConfigured(v, this.rtr, this.rcr)) return this.fail(W5500Err.CHIP_RESET);
    this.setLink((v[CommonReg.PHYCFGR - CommonReg.SIMR] & PHYCFGR.LNK) !== 0);
    return W5500Err.OK;
  }

  protected setLink(up: boolean): void {
    if (up === this.linkUp) return;
    this.linkUp = up;
    this.linkDirty = true;
  }

  /** execCommand, with a stuck Sn_CR or a bus failure taken as a chip failure. */
  protected command(sn: number, cr: number): number {
    const r = execCommand(this.bus, this.clock, sn, cr, this.cmdMs, this.res);
    if (r === W5500Err.OK) return r;
    if (r === W5500Err.CMD_STUCK) {
      // Name the cause if the chip is gone or was reset; otherwise the stuck command itself.
      if (this.health() !== W5500Err.OK) return this.failErr;
    }
    return this.fail(r);
  }

  /** the periodic chip check (healthMs > 0): a deadline of poll() */
  protected startHealthTimer(): void {
    if (this.healthMs <= 0 || !this.ready) return;
    this.healthDue = this.clock.now() + this.healthMs;
    this.wake(this.healthDue);
  }

  /** poll()'s health check, when due */
  protected healthTick(now: number): void {
    this.healthDue = now + this.healthMs;
    this.health();
  }

  /** the SEND_OK stall check: a deadline of poll(), set by the first SEND in flight */
  protected startStallTimer(): void {
    if (this.stallDue >= 0 || !this.ready) return;
    this.stallDue = this.clock.now() + this.stallMs;
    this.wake(this.stallDue);
  }

  /** SEND_OK overdue: look at the socket and the chip (link, presence) before telling the layer above. */
  protected stallCheck(): void {
    this.stallDue = -1;
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
        this.queued |= 1 << sn;
      }
    }
    if (next >= 0 && this.ready && this.stallDue < 0) this.stallDue = next;
  }
}
