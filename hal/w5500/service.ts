import { Edge } from '../pins';
import { Block, Chip, CommonReg, SnReg, Sn_IR, Sn_MR, Sn_SR, socketBlock } from './registers';
import { W5500Err } from './errors';
import { SnEvent } from './events';
import { Def, F, X, knownSr } from './state';
import { W5500Faults } from './faults';
import { earlier } from '../service-loop';

/**
 * Interrupt service and event delivery: INTn (or the poll) → SIR → each flagged socket's
 * Sn_IR + Sn_SR → clear what was read → deliver in the documented order on a later turn; and the
 * watches for what the chip does not interrupt for (the silent ends of TIME_WAIT and LAST_ACK, a
 * refused CONNECT, TX space coming back).
 *
 * The driver arms no timer. Its owner runs `poll()` when `wake` asks (the INT watch, a call that
 * observed something, a deadline that moved earlier) and at `nextDue()`; poll() does only what is
 * due: a service when INTn is low (or the poll interval has passed), the watch, the health and
 * SEND_OK-stall checks at their deadlines. With INT wired and nothing due it reads nothing.
 */
export abstract class W5500Service extends W5500Faults {
  protected abstract readTxFree(sn: number): number;
  protected abstract commit(sn: number): number;

  /**
   * Does what is due now and delivers what it found before returning: the service when INTn is low
   * (without INT: when the poll interval has passed), the close/space watch, the health and stall
   * checks at their times; and a failure found earlier is reported here, once.
   */
  poll(): void {
    if (this.inService) return;
    if (this.ready) {
      const now = this.clock.now();
      const int = this.int;
      const polled = !int && this.pollDue >= 0 && now >= this.pollDue;
      if (int ? !int.read() && now >= this.stuckUntil : polled) this.service(now);
      if (this.ready && this.watched && this.watchDue >= 0 && now >= this.watchDue) this.watch();
      // polling: a chip check due before the next poll is made now, so it costs no wake-up of its own
      if (this.ready && this.healthDue >= 0 && (now >= this.healthDue || (polled && this.healthDue < this.pollDue))) this.healthTick(now);
      if (this.ready && this.stallDue >= 0 && now >= this.stallDue) this.stallCheck();
    }
    if (this.ready || this.failDirty) this.dispatchAll();
  }

  /**
   * When `poll()` next has work, in clock ms: now when something waits for delivery or INTn is low;
   * else the earliest of the poll without INT, the watch of a close or connect the chip raises no
   * interrupt for, the health and stall checks. -1 when only INTn or a call brings work.
   */
  nextDue(): number {
    const now = this.clock.now();
    if (this.failDirty) return now;
    if (!this.ready) return -1;
    if (this.queued || this.linkDirty) return now;
    let due = -1;
    const int = this.int;
    if (int) {
      if (!int.read()) due = this.stuckUntil > now ? this.stuckUntil : now;
    } else due = this.pollDue;
    // a socket whose connect completed or whose close ended needs no watch: no wake-up for it
    if (this.watched) this.pruneWatch();
    if (this.watched) due = earlier(due, this.watchDue);
    due = earlier(due, this.healthDue);
    return earlier(due, this.stallDue);
  }


  /** After bring-up: watch INTn (serving at once if it is already low), or start polling. */
  protected startService(): void {
    const self = this;
    const now = this.clock.now();
    this.stuckUntil = 0;
    if (this.int) {
      // the watch only asks for a poll; the service runs on the owner's turn
      this.intWatch = this.int.watch(Edge.Falling, function () { self.wake(self.clock.now()); });
      if (!this.int.read()) this.wake(now);
    } else {
      this.pollDelay = this.pollMin;
      this.pollDue = now + this.pollDelay;
      this.wake(this.pollDue);
    }
  }

  /**
   * Takes what one read of Sn_IR and Sn_SR showed: clears the bits it saw (write 1 to clear) and
   * queues them for dispatch. A state code we do not know triggers a chip check instead.
   */
  protected observe(sn: number, ir: number, sr: number): void {
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
      this.queued |= 1 << sn;
    }
    if (sr !== this.sr[sn]) {
      this.sr[sn] = sr;
      this.dirty |= 1 << sn;
      this.queued |= 1 << sn;
    }
  }

  /** After an API call: deliver what it observed on a later turn, and poll sooner if polling. */
  protected afterCall(): void {
    if (this.inService) return;
    this.kick();
    if (this.failDirty || this.linkDirty || this.queued) this.wake(this.clock.now());
  }

  protected dispatchAll(): void {
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
    // Only the sockets with something queued, in socket order; none at all on an idle wake-up.
    for (let sn = 0; sn < Chip.SOCKETS && (this.queued >> sn) !== 0 && this.ready; sn++) {
      if (this.queued & (1 << sn)) this.dispatch(sn);
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
    this.queued &= ~(1 << sn);
    let f = this.flags[sn];
    if (!(f & F.OPEN)) return;
    const sr = this.sr[sn];
    const tcp = this.proto[sn] === Sn_MR.TCP;
    if (ir & Sn_IR.CON) {
      // Connection set-up re-initialises the TX pointers: read them again before the first SEND.
      this.flags[sn] = f = (f | F.CON_SEEN) & ~(F.CONNECTING | F.TXWR);
      this.txFree[sn] = this.txSize[sn];
      this.txHeld[sn] = 0;
      if (!this.emit(sn, SnEvent.CON)) return;
    }
    if ((ir & Sn_IR.SEND_OK) && (this.flags[sn] & F.SENDING)) {
      this.flags[sn] &= ~(F.SENDING | F.STALLED);
      if (!tcp) this.txFree[sn] = this.txSize[sn];
      // What was written while that SEND was in flight goes now, all of it in one SEND.
      if (this.txHeld[sn] > 0 && (sr === Sn_SR.SOCK_ESTABLISHED || sr === Sn_SR.SOCK_CLOSE_WAIT) && this.commit(sn) < 0) return;
      if (!this.emit(sn, SnEvent.SEND_OK)) return;
    }
    if ((x & X.WRITABLE) && !this.emit(sn, SnEvent.WRITABLE)) return;
    if ((x & X.STALLED) && (this.flags[sn] & F.SENDING) && !this.emit(sn, SnEvent.SEND_STALLED)) return;
    if ((ir & Sn_IR.RECV) && !this.emit(sn, SnEvent.RECV)) return;
    f = this.flags[sn];
    const reset = tcp && sr === Sn_SR.SOCK_CLOSED && !(f & (F.DISCON_SENT | F.FIN_SEEN)) && !(ir & Sn_IR.TIMEOUT);
    if ((ir & Sn_IR.DISCON) && !reset) {
      this.flags[sn] |= F.FIN_SEEN;
      if ((f & F.DISCON_SENT) && sr !== Sn_SR.SOCK_CLOSED) this.startWatch(sn, Def.CLOSE_WATCH_FIRST_MS);
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

  /** Without INT: any call may start activity, so look again soon. */
  protected kick(): void {
    if (this.int || !this.ready || this.pollDelay === this.pollMin) return;
    this.pollDelay = this.pollMin;
    this.pollDue = this.clock.now() + this.pollDelay;
    this.wake(this.pollDue);
  }

  /**
   * One service: SIR → each flagged socket's Sn_IR + Sn_SR in one read → clear what was read →
   * dispatch; repeated until INTn is high again (or SIR reads 0 when polling), so no edge is lost.
   * With INT wired and INTn high, it reads nothing at all.
   */
  private service(now: number): void {
    if (!this.ready) return;
    this.inService = true;
    let found = false;
    let stuck = false;
    const int = this.int;
    let pass = 0;
    for (; pass < Def.SERVICE_PASSES && this.ready; pass++) {
      if (int && int.read()) break;
      // One socket in use: INTn low (or the poll) is almost surely about that socket, so skip SIR. Polling,
      // its Sn_IR tells all SIR would: nothing there, nothing anywhere.
      const only = this.onlyActive();
      if (only >= 0) {
        const v = this.bus.read(SnReg.Sn_IR, socketBlock(only), 2);
        if (!v) { this.fail(W5500Err.BUS); break; }
        const ir = v[0];
        const sr = v[1];
        if (ir & Sn_IR.ALL) {
          this.observe(only, ir, sr);
          found = true;
          if (int) continue;
          break;
        }
        if (!int) break;
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
    if (int) {
      // Still low after every pass: something we cannot clear; come back later rather than spin.
      this.stuckUntil = !int.read() && (stuck || pass === Def.SERVICE_PASSES) ? now + Def.STUCK_INT_MS : 0;
    } else {
      this.pollDelay = found ? this.pollMin : (this.pollDelay * 2 < this.pollMax ? this.pollDelay * 2 : this.pollMax);
      this.pollDue = now + this.pollDelay;
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
  protected startWatch(sn: number, first: number): void {
    if (!this.ready) return;
    this.watched |= 1 << sn;
    const due = this.clock.now() + first;
    if (this.watchDue >= 0 && this.watchDue <= due) return;
    this.watchDelay = first;
    this.watchDue = due;
    this.wake(due);
  }

  protected needsWatch(sn: number): number {
    const f = this.flags[sn];
    if (!(f & F.OPEN)) return 0;
    let w = 0;
    // After our DISCON the peer's FIN and a TIMEOUT raise interrupts; only the ends of TIME_WAIT,
    // LAST_ACK and CLOSING (after the FIN exchange) are silent, so only then is Sn_SR polled.
    if (!(f & F.DONE) && (((f & F.DISCON_SENT) && (f & (F.FIN_SEEN | F.CON_SEEN)) !== F.CON_SEEN) || (f & F.CONNECTING))) w |= 1;
    if (f & F.WANT_SPACE) w |= 2;
    return w;
  }

  /** drops the watched sockets that no longer need it (only those: no scan of idle sockets) */
  private pruneWatch(): void {
    for (let sn = 0; sn < Chip.SOCKETS && (this.watched >> sn) !== 0; sn++) {
      if ((this.watched & (1 << sn)) && !this.needsWatch(sn)) this.watched &= ~(1 << sn);
    }
    if (!this.watched) this.watchDue = -1;
  }

  private watch(): void {
    this.watchDue = -1;
    if (!this.ready) return;
    for (let sn = 0; sn < Chip.SOCKETS && (this.watched >> sn) !== 0 && this.ready; sn++) {
      if (!(this.watched & (1 << sn))) continue;
      const w = this.needsWatch(sn);
      if (!w) {
        this.watched &= ~(1 << sn);
        continue;
      }
      if (w & 1) {
        // Sn_MR too, in the same frame: a chip reset raises no interrupt, and a socket it closed reads
        // CLOSED like one whose close just finished — but its Sn_MR reads 0 instead of our mode
        const v = this.bus.read(SnReg.Sn_MR, socketBlock(sn), 4);
        if (!v) { this.fail(W5500Err.BUS); return; }
        if ((v[0] & Sn_MR.P_MASK) !== (this.mr[sn] & Sn_MR.P_MASK) && this.health() !== W5500Err.OK) return;
        const ir = v[2];
        const sr = v[3];
        this.observe(sn, ir, sr);
      }
      if ((w & 2) && this.ready && !(this.flags[sn] & F.SENDING)) {
        const free = this.readTxFree(sn);
        if (free > 0) {
          this.flags[sn] &= ~F.WANT_SPACE;
          this.extra[sn] |= X.WRITABLE;
          this.queued |= 1 << sn;
        }
      }
    }
    this.dispatchAll();
    this.pruneWatch();
    // a watch started while this one ran keeps its own time
    if (!this.watched || !this.ready || this.watchDue >= 0) return;
    this.watchDelay = this.watchDelay * 2 < Def.WATCH_MAX_MS ? this.watchDelay * 2 : Def.WATCH_MAX_MS;
    this.watchDue = this.clock.now() + this.watchDelay;
  }
}
