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
    const self = this;
    this.dispatchTimer = this.clock.setTimeout(function () { self.dispatchTimer = 0; self.dispatchAll(); }, 0);
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

  protected startHealthTimer(): void {
    if (this.healthMs <= 0) return;
    const self = this;
    this.healthTimer = this.clock.setTimeout(function () { self.healthTick(); }, this.healthMs);
  }

  private healthTick(): void {
    this.healthTimer = 0;
    if (!this.ready) return;
    this.health();
    this.dispatchAll();
    if (!this.ready) return;
    this.startHealthTimer();
  }

  protected startStallTimer(): void {
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
        this.queued |= 1 << sn;
      }
    }
    this.dispatchAll();
    if (next >= 0 && this.ready && !this.stallTimer) {
      const self = this;
      this.stallTimer = this.clock.setTimeout(function () { self.stallTimer = 0; self.stallCheck(); }, next - now);
    }
  }
}
