import type { EncBus } from './bus';
import { ECON1, EIR, Mem, Reg, Tsv, TxControl } from './registers';

/**
 * The transmit buffer (DS §7.1): control byte at ETXST, the frame behind it, ETXND on its last byte,
 * TXRTS; the chip writes the 7-byte status vector after ETXND. One frame at a time. EWRPT and ETXND
 * are remembered so only bytes that change are written; the frame stays in chip memory, so a retry
 * after a late collision (errata #13) is a TXRST and a TXRTS, without moving the frame again.
 */
export class EncTx {
  /** a frame is on its way (TXRTS set by us, completion not yet seen) */
  busy = false;
  len = 0;
  /** retransmissions of the current frame so far */
  tries = 0;
  /** clock time of the last TXRTS */
  startedAt = 0;
  /** EWRPT and ETXND as last written, -1 unknown */
  ewrpt: number = Mem.TX_START;
  etxnd = -1;
  /** EIR.TXIF/TXERIF known clear (we cleared them and started nothing since) */
  flagsClear = false;
  private head: Uint8Array = new Uint8Array(2);
  private tsv: Uint8Array = new Uint8Array(1 + Tsv.LENGTH);

  /** After bring-up: EWRPT at ETXST, EIR cleared. */
  reset(): void {
    this.busy = false;
    this.ewrpt = Mem.TX_START;
    this.etxnd = -1;
    this.flagsClear = true;
  }

  forget(): void {
    this.busy = false;
    this.ewrpt = -1;
    this.etxnd = -1;
    this.flagsClear = false;
  }

  /** Writes the frame into the TX buffer and starts it. False on a bus failure. */
  start(bus: EncBus, frame: Uint8Array, len: number, now: number): boolean {
    if (!bus.writePointer(Reg.EWRPTL, this.ewrpt, Mem.TX_START)) return false;
    this.ewrpt = Mem.TX_START;
    const h = this.head;
    h[1] = TxControl.USE_MACON3;
    if (!bus.writeBuffer(h, len === frame.length ? frame : frame.subarray(0, len))) return false;
    this.ewrpt = Mem.TX_START + 1 + len;
    const end = Mem.TX_START + len;
    if (!bus.writePointer(Reg.ETXNDL, this.etxnd, end)) return false;
    this.etxnd = end;
    this.len = len;
    this.tries = 0;
    return this.go(bus, now);
  }

  /** TXRTS for the frame already in the buffer (flags cleared first unless known clear). */
  go(bus: EncBus, now: number): boolean {
    if (!this.flagsClear && !bus.clear(Reg.EIR, EIR.TXIF | EIR.TXERIF)) return false;
    this.flagsClear = false;
    if (!bus.set(Reg.ECON1, ECON1.TXRTS)) return false;
    this.busy = true;
    this.startedAt = now;
    return true;
  }

  /**
   * Errata #12: only a TXRST pulse frees a stalled or aborted transmitter; ending the reset can raise
   * TXERIF, so the flags are cleared after it. Also cancels TXRTS.
   */
  resetTransmitter(bus: EncBus): boolean {
    const ok = bus.set(Reg.ECON1, ECON1.TXRST) && bus.clear(Reg.ECON1, ECON1.TXRST | ECON1.TXRTS) &&
      bus.clear(Reg.EIR, EIR.TXIF | EIR.TXERIF);
    this.flagsClear = ok;
    return ok;
  }

  /**
   * Byte 3 of the status vector at ETXND + 1 (DS Table 7-1), read through ERDPT: the caller's
   * cached ERDPT is then stale. -1 on a bus failure.
   */
  readStatus(bus: EncBus): number {
    const at = this.etxnd + 1;
    if (!bus.write(Reg.ERDPTL, at & 0xff) || !bus.write(Reg.ERDPTH, at >> 8)) return -1;
    if (!bus.readBuffer(this.tsv, Tsv.LENGTH)) return -1;
    return this.tsv[4];
  }
}
