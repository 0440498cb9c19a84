/**
 * The ARP cache (RFC 826, timers per RFC 1122 §2.3.2.1): a few entries in typed arrays, each FREE,
 * PENDING (a request is out; `due` is the next retry) or RESOLVED (`due` is the expiry, checked when
 * the entry is read, so only pending entries set a deadline). Pure data: NetIf sends the requests.
 */
import { macCopy } from './wire/bytes';

export const enum ArpState {
  FREE = 0,
  PENDING = 1,
  RESOLVED = 2,
}

export const enum ArpTiming {
  ENTRIES = 4,
  /** how long an entry is believed without being refreshed (lwIP's ARP_MAXAGE: 5 minutes) */
  LIFETIME_MS = 300000,
  /** between requests for an unanswered address */
  RETRY_MS = 1000,
  /** requests sent before the address is given up (RFC 1122 §2.3.2.1: no flooding) */
  TRIES = 3,
}

export class ArpCache {
  /** protocol address per entry (host order) */
  ip = new Uint32Array(ArpTiming.ENTRIES);
  /** 6 bytes per entry */
  mac = new Uint8Array(ArpTiming.ENTRIES * 6);
  state = new Uint8Array(ArpTiming.ENTRIES);
  /** requests sent so far (PENDING) */
  tries = new Uint8Array(ArpTiming.ENTRIES);
  /** PENDING: time of the next retry; RESOLVED: expiry (ms) */
  due = new Float64Array(ArpTiming.ENTRIES);

  /** the entry for `ip` in any state but FREE, or -1 */
  find(ip: number): number {
    for (let i = 0; i < ArpTiming.ENTRIES; i++) if (this.state[i] !== ArpState.FREE && this.ip[i] === ip) return i;
    return -1;
  }

  /** a RESOLVED, unexpired entry for `ip`, or -1 (an expired entry is freed here) */
  lookup(ip: number, now: number): number {
    const i = this.find(ip);
    if (i < 0 || this.state[i] !== ArpState.RESOLVED) return -1;
    if (now >= this.due[i]) {
      this.state[i] = ArpState.FREE;
      return -1;
    }
    return i;
  }

  /**
   * RFC 826's merge: an entry for `ip` takes the 6-byte address at `off` of `buf` and becomes RESOLVED;
   * without one, a new entry is made only when `create`. Returns the entry, or -1.
   */
  learn(ip: number, buf: Uint8Array, off: number, now: number, create: boolean): number {
    let i = this.find(ip);
    if (i < 0) {
      if (!create) return -1;
      i = this.victim();
      this.ip[i] = ip;
    }
    macCopy(this.mac, i * 6, buf, off);
    this.state[i] = ArpState.RESOLVED;
    this.tries[i] = 0;
    this.due[i] = now + ArpTiming.LIFETIME_MS;
    return i;
  }

  /** a PENDING entry for `ip` (one request counted as sent now), taking a free or the least useful slot */
  pend(ip: number, now: number): number {
    const i = this.victim();
    this.ip[i] = ip;
    this.state[i] = ArpState.PENDING;
    this.tries[i] = 1;
    this.due[i] = now + ArpTiming.RETRY_MS;
    this.mac.fill(0, i * 6, i * 6 + 6);
    return i;
  }

  /** forget every entry (the address or subnet changed) */
  clear(): void {
    this.state.fill(ArpState.FREE);
  }

  /** a FREE slot, else the RESOLVED entry closest to expiry, else the oldest PENDING one */
  private victim(): number {
    let best = -1;
    for (let i = 0; i < ArpTiming.ENTRIES; i++) {
      if (this.state[i] === ArpState.FREE) return i;
      if (best < 0 || this.state[i] > this.state[best] || (this.state[i] === this.state[best] && this.due[i] < this.due[best])) best = i;
    }
    return best;
  }
}
