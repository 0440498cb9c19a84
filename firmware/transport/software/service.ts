/**
 * The software transport's work: the frame driver's events (frames into the stack, a frame sent,
 * link, failure), the stack's timers (TCP retransmission, delayed ACK, keep-alive, TIME_WAIT; ARP
 * retries), and the pump that does all of it now. Neither the stack (firmware/net is pure) nor this
 * file arms a timer: the time of the stack's next need is read from it after every change and
 * handed to the sink's `wake`, and the pump returns the earliest deadline; the event loop's one
 * timer follows it.
 */
import type { FrameHandler } from '../../../hal/frame-driver';
import { earlier } from '../../../hal/service-loop';
import { ArpState, ArpTiming } from '../../net/arp-cache';
import { TCause } from '../transport';
import { Deferred } from '../deferred';
import { St } from './core';
import type { SoftCore } from './core';
import type { TxQueue } from './tx-queue';

export class Service implements FrameHandler {
  private c: SoftCore;
  private tx: TxQueue;
  /** addresses ARP gave up in this poll */
  private lost: Uint32Array = new Uint32Array(ArpTiming.ENTRIES);

  constructor(c: SoftCore, tx: TxQueue) {
    this.c = c;
    this.tx = tx;
  }

  // ---------------------------------------------------------------- FrameHandler

  frame(f: Uint8Array, len: number): void {
    const c = this.c;
    if (c.down) return;
    c.nif.input(f, len, c.clock.now());
    this.kick();
  }

  sent(result: number): void {
    this.tx.next();
  }

  link(up: boolean): void {
    // the connections' own timers decide what a cable pull costs them; the layer only hears of it
    if (!this.c.down) this.c.sink.link(up);
  }

  failure(err: number): void {
    this.fail();
  }

  // ---------------------------------------------------------------- time

  /** the stack's next deadline: TCP's timers and ARP's retries (no side effect) */
  deadline(): number {
    const c = this.c;
    let d = c.tcp.nextDeadline();
    const a = c.nif.arp;
    for (let i = 0; i < ArpTiming.ENTRIES; i++) if (a.state[i] === ArpState.PENDING) d = earlier(d, a.due[i]);
    return d;
  }

  /** after anything that may have changed a deadline: the event loop's timer follows the earliest */
  kick(): void {
    const c = this.c;
    if (c.down) return;
    const d = this.deadline();
    if (d >= 0) c.sink.wake(d);
  }

  /** everything that can be done now; the next time work is due (-1: only an event brings more) */
  pump(): number {
    const c = this.c;
    let due = -1;
    if (!c.down) {
      const now = c.clock.now();
      due = c.drv.service(now);
      // a failure found by this service is told now, not on a later turn the blocking caller would wait for
      if (!c.down && !c.drv.isUp()) this.fail();
      if (!c.down) {
        const gone = this.arpGivingUp(now);
        c.nif.poll(now);
        if (gone > 0) this.unreachable(gone, now);
        c.tcp.poll(now);
      }
    }
    c.queue.flush();
    if (c.down) return -1;
    if (c.queue.asked) return c.clock.now();
    return earlier(due, this.deadline());
  }

  /** the ARP entries this poll will give up (every request unanswered): how many, their addresses in `lost` */
  private arpGivingUp(now: number): number {
    const a = this.c.nif.arp;
    let n = 0;
    for (let i = 0; i < ArpTiming.ENTRIES; i++) {
      if (a.state[i] === ArpState.PENDING && now >= a.due[i] && a.tries[i] >= ArpTiming.TRIES) this.lost[n++] = a.ip[i];
    }
    return n;
  }

  /**
   * A connection attempt whose next hop never answered ARP fails Unreachable (the socket layer's
   * WSAEHOSTUNREACH) rather than waiting out its SYN retransmissions.
   */
  private unreachable(n: number, now: number): void {
    const c = this.c;
    const nif = c.nif;
    for (let ep = 0; ep < c.max; ep++) {
      const conn = c.conn[ep];
      if (c.st[ep] !== St.Connecting || !conn) continue;
      const ip = conn.remoteIp;
      const hop = ((ip ^ nif.addr) & nif.mask) === 0 ? ip : nif.gateway;
      for (let k = 0; k < n; k++) {
        if (this.lost[k] !== hop) continue;
        conn.abort(now);
        conn.user = -1;
        c.conn[ep] = null;
        c.st[ep] = St.Bound;
        c.queue.push(ep, Deferred.ConnectDone, TCause.Unreachable, 0);
        break;
      }
    }
  }

  // ---------------------------------------------------------------- failure

  /**
   * The NIC failed (the driver said so, or a member found it): the stack goes down, every
   * connection is over without a segment more, and each endpoint with one hears it on the next
   * turn (connectDone or ended with NetDown). Idempotent.
   */
  fail(): void {
    const c = this.c;
    if (c.down) return;
    c.down = true;
    this.tx.clear();
    c.nif.down();
    const now = c.clock.now();
    for (let ep = 0; ep < c.max; ep++) {
      const st = c.st[ep];
      const conn = c.conn[ep];
      if (st === St.Listening) {
        const l = c.listener[ep];
        if (l) l.close(now);
      } else if (conn && (st === St.Connecting || st === St.Connected)) {
        const unsent = conn.abort(now);
        if (st === St.Connecting) {
          c.conn[ep] = null;
          c.st[ep] = St.Bound;
          c.queue.push(ep, Deferred.ConnectDone, TCause.NetDown, 0);
        } else {
          c.st[ep] = St.Ended;
          c.unsentAt[ep] = unsent;
          c.queue.push(ep, Deferred.Ended, TCause.NetDown, unsent);
        }
      }
    }
    // what no endpoint owns (handshakes, connections not accepted) goes too, and TIME_WAIT with it
    const cs = c.tcp.conns;
    for (let i = cs.length - 1; i >= 0; i--) cs[i].abort(now);
    c.tcp.timeWaits.splice(0, c.tcp.timeWaits.length);
  }
}
