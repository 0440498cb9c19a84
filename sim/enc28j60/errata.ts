/**
 * The silicon errata of rev. B7 (DS80349C, numbered as there; list in ../shared/docs/enc28j60.md §11) that change
 * what a driver sees. Each is a switch, on by default because the silicon has it; a test turns one off to show
 * the difference a workaround makes.
 */
export interface Errata {
  /** #2: ESTAT.CLKRDY reads 1 at once after a reset although the chip ignores writes until it is ready */
  clkrdyEarly: boolean;
  /** #5: writing ERXST or ERXND loads 0x0000 into the receive write pointer instead of ERXST */
  rxWritePointerZero: boolean;
  /** #6: EIR.PKTIF read over SPI is unreliable (here: every second read while set shows it clear); INT is not affected */
  pktifUnreliable: boolean;
  /** #9: in half duplex without PHCON2.HDLDIS the chip receives its own transmissions */
  halfDuplexLoopback: boolean;
  /** #12: after an aborted transmission the TX logic locks; TXRTS then never clears until a TXRST pulse, whose end raises TXERIF */
  txStallAfterAbort: boolean;
  /** #13: in half duplex a link pulse can be taken for a late collision and the transmission aborted (see faults.lateCollisions) */
  lateCollision: boolean;
  /** #14: an even ERXRDPT corrupts the receive ring (here: the next-packet pointer of frames stored meanwhile is odd) */
  evenRxRdptCorrupts: boolean;
  /** #15: ESTAT.LATECOL is not set on a late collision (the transmit status vector is the truth) */
  latecolUnreliable: boolean;
  /** #17: while the DMA computes a checksum, frames arriving are lost */
  dmaChecksumDropsRx: boolean;
}

export function defaultErrata(): Errata {
  return {
    clkrdyEarly: true,
    rxWritePointerZero: true,
    pktifUnreliable: true,
    halfDuplexLoopback: true,
    txStallAfterAbort: true,
    lateCollision: true,
    evenRxRdptCorrupts: true,
    latecolUnreliable: true,
    dmaChecksumDropsRx: true,
  };
}
