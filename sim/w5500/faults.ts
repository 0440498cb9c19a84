/**
 * Fault hooks of the W5500 model: things that go wrong on real boards and that a driver must survive.
 * Plain switches are read by the model at the moment they matter; link() and rxOverflow() act at once.
 */

/** Where a 16-bit counter (Sn_TX_FSR, Sn_RX_RSR) may change between its two bytes. */
export type TornReads = false | 'frame' | 'split' | 'both';

export interface FaultTarget {
  setLinkFault(up: boolean): void;
  linkIsUp(): boolean;
  setRxOverflowDrop(sn: number, drop: boolean): void;
}

export class W5500Faults {
  /**
   * 'frame': the counter changes between byte 0 and byte 1 of one 2-byte read frame; 'split': it changes right
   * after a frame that read only the high byte (so two 1-byte frames tear); 'both'. See README "Torn reads".
   */
  tornReads: TornReads = false;
  /** Sn_CR keeps reading the command for this long (ms of chip time) before the chip accepts it */
  slowCommandMs = 0;
  /** SEND_OK is never raised (data still flows and Sn_TX_FSR still grows) */
  withholdSendOk = false;
  /** nothing answers on the bus: MISO reads 0xFF, writes are lost */
  chipAbsent = false;
  /** peer bytes dropped by the rxOverflow fault or by a full buffer (UDP, MACRAW), since construction */
  rxDropped = 0;

  private target: FaultTarget;
  constructor(target: FaultTarget) {
    this.target = target;
  }
  /** cable in/out: PHYCFGR.LNK follows; with the link down nothing moves on the wire */
  link(up: boolean): void {
    this.target.setLinkFault(up);
  }
  get linkUp(): boolean {
    return this.target.linkIsUp();
  }
  /**
   * TCP peer data that does not fit into socket `sn`'s free RX space is dropped instead of being held back by
   * flow control (the default, which delivers it after RECV frees space).
   */
  rxOverflow(sn: number, drop?: boolean): void {
    if (drop === undefined) drop = true;
    this.target.setRxOverflowDrop(sn, drop);
  }
}
