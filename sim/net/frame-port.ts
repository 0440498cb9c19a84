/**
 * The wire side of a NIC: whole Ethernet frames in and out, destination MAC first, without preamble and without
 * the 4-byte FCS. Every wire (a TAP device into the kernel, a frame pipe on the virtual clock) offers this one
 * shape, so a chip model, a scripted frame peer or a pure TCP/IP stack plugs into either.
 */

/**
 * Receives one frame from the wire. The frame is the receiver's to keep. `fcsBad` says the frame arrived with a
 * wrong FCS (a bit error on the wire): a MAC drops it or reports the CRC error, a plain stack may look at it.
 */
export type FrameReceiver = (frame: Uint8Array, fcsBad: boolean) => void;

export interface FramePort {
  /**
   * Puts one frame on the wire; the wire keeps a copy, so the caller may reuse its buffer. `fcsBad` marks a frame
   * the sender put on the wire with a wrong FCS (a MAC sending a frame whose CRC its host computed wrongly).
   */
  send(frame: Uint8Array, fcsBad?: boolean): void;
  /** sets the one receiver of frames from the wire (undefined: frames are dropped and counted) */
  setReceiver(rx: FrameReceiver | undefined): void;
}

/** smallest frame on the wire without FCS (64 bytes with it) */
export const MIN_FRAME = 60;
/** largest untagged frame without FCS */
export const MAX_FRAME = 1514;
