/**
 * Fault hooks of the ENC28J60 model: what goes wrong on real boards and what a driver must survive. Plain fields
 * are read by the model when they matter; the methods act at once.
 */

export interface EncFaultTarget {
  setCable(up: boolean): void;
  cable(): boolean;
  scheduleCable(up: boolean, afterMs: number): void;
  selfReset(): void;
  lockTx(): void;
  inject(frame: Uint8Array, fcsBad: boolean): void;
}

export class EncFaults {
  /** nothing answers on the bus: every MISO byte reads this value (0xFF: pulled up, 0x00: pulled down); writes are lost */
  chipAbsent: false | 0xff | 0x00 = false;
  /** probability that a half-duplex transmission aborts with a late collision (errata #13; seeded) */
  lateCollisionRate = 0;

  /** @internal windows left to cut, and where */
  tearAt = -1;
  /** @internal forced late collisions left */
  lateCollisionsLeft = 0;

  constructor(private target: EncFaultTarget) {}

  /** cable in (true) or out (false): PHSTAT2.LSTAT, PHSTAT1.LLSTAT and PHIR follow */
  link(up: boolean): void {
    this.target.setCable(up);
  }
  get linkUp(): boolean {
    return this.target.cable();
  }
  /** the cable is pulled now and plugged in again after `downMs` */
  flap(downMs: number): void {
    this.target.setCable(false);
    this.target.scheduleCable(true, downMs);
  }
  /** the chip resets itself mid-traffic (a brown-out): every register to its reset value, as after RST */
  reset(): void {
    this.target.selfReset();
  }
  /** the next chip-select window reaches the chip only for its first `bytes` bytes (CS rose early); MISO reads 0xFF after the cut */
  tearNext(bytes: number): void {
    this.tearAt = Math.max(0, Math.floor(bytes));
  }
  /** the next `n` transmissions in half duplex abort with a late collision (errata #13) */
  lateCollisions(n: number): void {
    this.lateCollisionsLeft += n;
  }
  /** the TX logic locks now (errata #12): TXRTS will not clear until a TXRST pulse */
  txStall(): void {
    this.target.lockTx();
  }
  /** `count` copies of a frame arrive back to back from the wire (RX overflow under load) */
  flood(frame: Uint8Array, count: number): void {
    for (let i = 0; i < count; i++) this.target.inject(frame, false);
  }
}
