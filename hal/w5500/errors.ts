/**
 * Results of driver calls. Non-negative numbers are successes (a count, a state code); these
 * negative codes are the failures. A bus failure (the SPI transaction itself failed) and a chip
 * that answered with a code we do not know are deliberately different results.
 */
export const enum W5500Err {
  OK = 0,
  /** the SPI transaction returned false: the bus itself failed */
  BUS = -1,
  /** the chip answered with a code we do not know (e.g. an Sn_SR outside the datasheet table); see `unknownCode` */
  UNKNOWN_CODE = -2,
  /** VERSIONR and its neighbours read 0xFF: MISO floats high — no chip, no power, or the wrong CS pin */
  NO_CHIP = -3,
  /** VERSIONR and its neighbours read 0x00: MISO held low — wiring, SCK, or the chip held in reset */
  WIRING = -4,
  /** VERSIONR read something other than 0x04: not a W5500, or a noisy bus (clock too fast/slow) */
  BAD_VERSION = -5,
  /** Sn_CR did not return to 0 within the bound: a bus fault */
  CMD_STUCK = -6,
  /** a 16-bit counter (Sn_TX_FSR, Sn_RX_RSR) never read the same twice in a row */
  TORN = -7,
  /** MR.RST did not clear, or the chip did not answer after an RSTn pulse */
  RESET_STUCK = -8,
  /** the chip was reset behind the driver's back (a register we set reads its reset value) */
  CHIP_RESET = -9,
  /** a SEND is still in flight on this socket (one at a time), or the command is not allowed now */
  BUSY = -10,
  /** the socket is not in a state that allows the call */
  STATE = -11,
  /** bad argument: socket number, buffer sizes, address */
  ARG = -12,
  /** the driver is not brought up, or has failed (see the failure event) */
  DOWN = -13,
  /** a register written at bring-up did not read back */
  CONFIG = -14,
  /** a UDP datagram larger than the socket's TX buffer */
  MSGSIZE = -15,
  /** nothing to receive (recvFrom: no datagram waiting) */
  EMPTY = -16,
}

/** Text for a result code, naming the likely cause where there is one. */
export function describeErr(err: number): string {
  switch (err) {
    case W5500Err.OK: return 'ok';
    case W5500Err.BUS: return 'SPI bus failure';
    case W5500Err.UNKNOWN_CODE: return 'the chip returned a code the datasheet does not list';
    case W5500Err.NO_CHIP: return 'no W5500 answers: MISO reads all 0xFF (no chip, no power, or wrong CS pin)';
    case W5500Err.WIRING: return 'no W5500 answers: MISO reads all 0x00 (check MISO/SCK wiring and that RSTn is not held low)';
    case W5500Err.BAD_VERSION: return 'VERSIONR is not 0x04: not a W5500, or a noisy bus (check the SPI clock and CS)';
    case W5500Err.CMD_STUCK: return 'Sn_CR did not clear: bus fault or chip gone';
    case W5500Err.TORN: return 'a 16-bit counter never read stable';
    case W5500Err.RESET_STUCK: return 'the chip did not come out of reset';
    case W5500Err.CHIP_RESET: return 'the chip was reset (its registers are back at reset values)';
    case W5500Err.BUSY: return 'busy: a SEND is in flight';
    case W5500Err.STATE: return 'the socket is not in a state for this call';
    case W5500Err.ARG: return 'bad argument';
    case W5500Err.DOWN: return 'the driver is down';
    case W5500Err.CONFIG: return 'the configuration did not read back';
    case W5500Err.MSGSIZE: return 'datagram larger than the TX buffer';
    case W5500Err.EMPTY: return 'nothing to receive';
  }
  return 'error ' + err;
}

/**
 * Whether a result means the chip failed and the driver went down (the failure event follows; every
 * call returns DOWN until begin()). A call that finds the chip gone returns the precise cause
 * (NO_CHIP, WIRING, BAD_VERSION, CHIP_RESET) rather than DOWN.
 */
export function isFatal(err: number): boolean {
  switch (err) {
    case W5500Err.BUS: case W5500Err.NO_CHIP: case W5500Err.WIRING: case W5500Err.BAD_VERSION:
    case W5500Err.CMD_STUCK: case W5500Err.RESET_STUCK: case W5500Err.CHIP_RESET: case W5500Err.DOWN:
    case W5500Err.CONFIG:
      return true;
  }
  return false;
}
