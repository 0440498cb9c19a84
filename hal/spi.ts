/**
 * An SPI device: one required method, a transaction of operations under one chip select
 * (the embedded-hal shape). Drivers never touch chip select themselves.
 */
export const enum SpiOp {
  /** send `buf`, discard what comes back */
  Write = 0,
  /** send zeros, fill `buf` with what comes back */
  Read = 1,
  /** send `buf`, then overwrite it in place with what came back */
  Transfer = 2,
}

export interface SpiOperation {
  op: SpiOp;
  buf: Uint8Array;
}

export interface SpiDevice {
  /**
   * Runs every operation in order with chip select held low throughout.
   * Returns false when the bus itself failed (the binding threw); the buffers are then undefined.
   */
  transaction(ops: SpiOperation[]): boolean;
}
