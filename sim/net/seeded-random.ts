/**
 * A small seeded generator (mulberry32) so that every impairment a test draws is the same on every run with the
 * same seed. Not for anything that needs real randomness.
 */
export class SeededRandom {
  private s: number;

  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  /** uniform in [0, 1) */
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** true with probability p */
  chance(p: number): boolean {
    return p > 0 && this.next() < p;
  }
  /** an integer in [0, n) */
  below(n: number): number {
    return Math.floor(this.next() * n);
  }
}
