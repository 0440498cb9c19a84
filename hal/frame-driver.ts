/**
 * The frame driver: what a MAC-level NIC offers the software transport (firmware/net), the same for
 * every chip — the ENC28J60, and the W5500 with socket 0 in MACRAW mode. Ethernet frames go in and
 * out without their CRC; the chip driver owns SPI, INT, polling and every chip quirk.
 *
 * Contract:
 * - Every call is synchronous and returns a result: OK (0) or a non-negative count, or a negative
 *   FrameErr. Nothing throws.
 * - `send` takes one frame at a time: BUSY while the previous one is still being transmitted; the
 *   handler's `sent` says when it is done (and how), and only then is `send` accepted again.
 * - Received frames, `sent`, `link` and `failure` reach the handler from `service`, never from inside
 *   `send`. The driver arms no timer: its owner (the transport, and through it the event loop; a rig
 *   when the driver runs alone) runs `service(now)` when the driver's `wake` asks (INT edge, work left
 *   over) and at the time `service` returned (hal/service-loop.ts).
 * - A frame handed to `frame` is a view of the driver's one receive buffer: valid only during the call.
 * - Bad frames (runt, too long, CRC error, corrupt ring record) are dropped and counted, never delivered.
 * - After `failure(err)` every call returns DOWN until `begin()` again.
 */

import type { Wake } from './service-loop';

/**
 * Result codes. Values shared with W5500Err (hal/w5500/errors.ts) have the same number there, so a
 * MACRAW driver passes the W5500's results through unchanged.
 */
export const enum FrameErr {
  OK = 0,
  /** the SPI transaction itself failed */
  BUS = -1,
  /** the chip's identity register reads 0xFF: MISO floats high — no chip, no power, or the wrong CS pin */
  NO_CHIP = -3,
  /** the identity register reads 0x00: MISO held low — wiring, SCK, or the chip held in reset */
  WIRING = -4,
  /** W5500: VERSIONR reads neither 0x04 nor all 0x00/0xFF — not a W5500, or a noisy bus */
  BAD_VERSION = -5,
  /** W5500: Sn_CR did not clear within its bound — bus fault or chip gone */
  CMD_STUCK = -6,
  /** the chip did not come out of reset (registers do not take their values) */
  RESET_STUCK = -8,
  /** the chip was reset behind the driver's back (a register it set reads its reset value) */
  CHIP_RESET = -9,
  /** a frame is still being transmitted: wait for the handler's `sent` */
  BUSY = -10,
  /** bad argument */
  ARG = -12,
  /** the driver is not brought up, or has failed */
  DOWN = -13,
  /** a register written at bring-up did not read back */
  CONFIG = -14,
  /** the frame is longer than the chip can send (1514 bytes without CRC) or shorter than a header */
  MSGSIZE = -15,
  /** the transmission was aborted by the MAC (excessive collisions or defer, giant) and, for late collisions, every retry was used */
  TX_ABORTED = -17,
  /** the transmitter did not finish within the bound; it was reset */
  TX_TIMEOUT = -18,
  /** the PHY (MII) did not answer */
  PHY = -19,
}

/** Indexes into a frame driver's `counters` (a Uint32Array of FrameCount.N). */
export const enum FrameCount {
  RX_FRAMES = 0,
  RX_BYTES = 1,
  /** shorter than 60 bytes without CRC */
  RX_RUNT = 2,
  /** longer than 1514 bytes without CRC (or than the driver's receive buffer, sized smaller on a small board), or the chip flagged a length error */
  RX_TOO_LONG = 3,
  /** CRC error, or the chip did not mark the frame received OK */
  RX_BAD = 4,
  /** the record in the chip's buffer was corrupt (next-packet pointer); receive logic was reset */
  RX_BAD_POINTER = 5,
  /** frames the chip lost because its buffer was full (ENC28J60: EIR.RXERIF events) */
  RX_OVERFLOW = 6,
  TX_FRAMES = 7,
  TX_BYTES = 8,
  /** frames given up (TX_ABORTED, TX_TIMEOUT) */
  TX_FAILED = 9,
  /** retransmissions after a late collision */
  TX_RETRIES = 10,
  /** transmitter resets (errata workaround) */
  TX_RESETS = 11,
  LINK_CHANGES = 12,
  N = 13,
}

export interface FrameHandler {
  /** A good frame, destination MAC first, no CRC: bytes `frame[0..len)`, valid only during the call. */
  frame(frame: Uint8Array, len: number): void;
  /** The frame given to `send` is done: OK, or TX_ABORTED / TX_TIMEOUT. `send` is accepted again. */
  sent(result: number): void;
  /** Link state changed. */
  link(up: boolean): void;
  /** The chip failed (gone, reset, bus); every call returns DOWN until `begin()`. */
  failure(err: number): void;
}

export interface FrameDriver {
  /** Resets and configures the chip, then starts servicing it. OK or a FrameErr. Blocking (clock.pause). */
  begin(): number;
  /** Stops servicing (timers, pin watch); no handler call afterwards. The chip is left as it is. */
  stop(): void;
  setHandler(h: FrameHandler | undefined): void;
  /** who runs `service`: asked for a run by a time (the INT watch, work left over); set before `begin` */
  setWake(wake: Wake): void;
  /** Queues `frame[0..len)` (destination MAC first, no CRC) for transmission. OK, BUSY, MSGSIZE, ARG, DOWN or a failure. */
  send(frame: Uint8Array, len: number): number;
  /** Whether `send` would be accepted now. */
  canSend(): boolean;
  /**
   * Does a bounded amount of work now (receive, completions, link, recovery) and delivers what it
   * found to the handler. Returns the clock time (ms) by which it wants to run again, or -1 when only an
   * INT edge or a call can bring work.
   */
  service(now: number): number;
  isUp(): boolean;
  isLinkUp(): boolean;
  /**
   * One presence and reset check now (a register read or two). OK, or the failure found: the driver
   * then goes down and `failure` reaches the handler during this call (the one handler call that
   * may come from outside `service`). DOWN when it is not up.
   */
  checkChip(): number;
  /** the station address, 6 bytes */
  mac: Uint8Array;
  /** FrameCount-indexed counters */
  counters: Uint32Array;
}

export function frameErrText(err: number): string {
  switch (err) {
    case FrameErr.OK: return 'ok';
    case FrameErr.BUS: return 'SPI bus failure';
    case FrameErr.NO_CHIP: return 'no chip answers: MISO reads 0xFF (no chip, no power, or wrong CS pin)';
    case FrameErr.WIRING: return 'no chip answers: MISO reads 0x00 (check MISO/SCK wiring and that RESET is not held low)';
    case FrameErr.BAD_VERSION: return 'the identity register reads an unknown value (not the chip, or a noisy bus)';
    case FrameErr.CMD_STUCK: return 'a command did not complete (bus fault or chip gone)';
    case FrameErr.RESET_STUCK: return 'the chip did not come out of reset';
    case FrameErr.CHIP_RESET: return 'the chip was reset (its registers are back at reset values)';
    case FrameErr.BUSY: return 'busy: a frame is being transmitted';
    case FrameErr.ARG: return 'bad argument';
    case FrameErr.DOWN: return 'the driver is down';
    case FrameErr.CONFIG: return 'the configuration did not read back';
    case FrameErr.MSGSIZE: return 'frame too long or too short';
    case FrameErr.TX_ABORTED: return 'transmission aborted by the MAC';
    case FrameErr.TX_TIMEOUT: return 'transmission did not complete; transmitter reset';
    case FrameErr.PHY: return 'the PHY did not answer';
  }
  return 'error ' + err;
}
