import type { NetSide } from '../../sim/w5500/network';

/**
 * A stand-in chip for testing the runners' plumbing on its own: common registers only, VERSIONR
 * reads 0x04, INTn low while IR & IMR ≠ 0, and `faults.ir(bits)` raises IR bits from outside.
 */
export class W5500Model {
  private common = new Uint8Array(0x40);
  private cbs: ((high: boolean) => void)[] = [];
  private level = true;
  private net: NetSide;
  readonly trace = { counters: { transactions: 0, bytes: 0, payloadBytes: 0 }, lines: () => ['{"stub":true}'] };
  readonly faults = {
    slowCommandMs: 0,
    ir: (bits: number) => { this.common[0x15] |= bits; this.update(); return this.common[0x15]; },
  };

  constructor(opts: { net: NetSide; now: () => number }) {
    this.net = opts.net;
    this.common[0x39] = 0x04;
  }
  get intn(): boolean {
    return this.level;
  }
  onIntn(cb: (high: boolean) => void): void {
    this.cbs.push(cb);
  }
  exchange(mosi: Uint8Array): Uint8Array {
    this.trace.counters.transactions++;
    this.trace.counters.bytes += mosi.length;
    const miso = new Uint8Array(mosi.length);
    if (mosi.length < 3) return miso;
    const addr = (mosi[0] << 8) | mosi[1];
    const write = (mosi[2] & 0x04) !== 0;
    if ((mosi[2] >> 3) !== 0) throw new Error('stub has no socket blocks');
    for (let i = 3; i < mosi.length; i++) {
      const a = (addr + i - 3) & 0x3f;
      if (!write) miso[i] = this.common[a];
      else if (a === 0x15) this.common[a] &= ~mosi[i];
      else if (a !== 0x39) this.common[a] = mosi[i];
    }
    this.update();
    return miso;
  }
  advance(): void {
    this.net.poll(0);
  }
  nextDeadline(): number | undefined {
    return undefined;
  }
  hardReset(): void {
    this.common.fill(0);
    this.common[0x39] = 0x04;
    this.update();
  }
  close(): void {
    this.net.shutdown();
  }
  private update(): void {
    const high = (this.common[0x15] & this.common[0x16]) === 0;
    if (high === this.level) return;
    this.level = high;
    for (const cb of this.cbs) cb(high);
  }
}
