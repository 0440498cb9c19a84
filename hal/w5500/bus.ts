import type { SpiDevice, SpiOperation } from '../spi';
import { SpiOp } from '../spi';
import { putHeader } from './frame';

/** Register writes up to this many bytes are copied behind the header into one reused buffer. */
const enum BusSize {
  SMALL_WRITE = 64,
  HEADER = 3,
}

/**
 * The register layer: every access to the chip goes through `read` and `write`, one SPI
 * transaction (one chip-select window) each. Buffers are reused; a read is a single Transfer of
 * header + length bytes, so on Espruino the bytes move in C without a copy.
 */
export class W5500Bus {
  spi: SpiDevice;
  private rx: Uint8Array;
  private wx: Uint8Array;
  private hdr: Uint8Array;
  private one: SpiOperation[];
  private two: SpiOperation[];

  constructor(spi: SpiDevice) {
    this.spi = spi;
    this.rx = new Uint8Array(BusSize.SMALL_WRITE);
    this.wx = new Uint8Array(BusSize.HEADER + BusSize.SMALL_WRITE);
    this.hdr = new Uint8Array(BusSize.HEADER);
    this.one = [{ op: SpiOp.Transfer, buf: this.rx }];
    this.two = [{ op: SpiOp.Write, buf: this.hdr }, { op: SpiOp.Write, buf: this.hdr }];
  }

  /**
   * Reads `length` bytes from `address` in `block`. Returns a view of a reused buffer, valid until
   * the next read, or undefined when the bus failed.
   */
  read(address: number, block: number, length: number): Uint8Array | undefined {
    const n = length + BusSize.HEADER;
    if (this.rx.length < n) this.rx = new Uint8Array(n);
    const frame = n === this.rx.length ? this.rx : this.rx.subarray(0, n);
    putHeader(frame, 0, address, block, false);
    // The chip ignores MOSI during the data phase; zeros keep bus traces readable and runs repeatable.
    frame.fill(0, BusSize.HEADER);
    const op = this.one[0];
    op.op = SpiOp.Transfer;
    op.buf = frame;
    if (!this.spi.transaction(this.one)) return undefined;
    return frame.subarray(BusSize.HEADER, n);
  }

  /** Writes `data` at `address` in `block`. Returns false when the bus failed. */
  write(address: number, block: number, data: Uint8Array): boolean {
    const len = data.length;
    if (len <= BusSize.SMALL_WRITE) {
      const frame = this.wx.subarray(0, BusSize.HEADER + len);
      putHeader(frame, 0, address, block, true);
      frame.set(data, BusSize.HEADER);
      const op = this.one[0];
      op.op = SpiOp.Write;
      op.buf = frame;
      return this.spi.transaction(this.one);
    }
    // Large payloads go as a second operation under the same chip select: no copy here.
    putHeader(this.hdr, 0, address, block, true);
    this.two[1].buf = data;
    const ok = this.spi.transaction(this.two);
    this.two[1].buf = this.hdr;
    return ok;
  }

  /** Writes one byte. */
  write8(address: number, block: number, value: number): boolean {
    const frame = this.wx.subarray(0, BusSize.HEADER + 1);
    putHeader(frame, 0, address, block, true);
    frame[3] = value & 0xff;
    const op = this.one[0];
    op.op = SpiOp.Write;
    op.buf = frame;
    return this.spi.transaction(this.one);
  }

  /** Writes a 16-bit register, high byte first (at the lower address). */
  write16(address: number, block: number, value: number): boolean {
    const frame = this.wx.subarray(0, BusSize.HEADER + 2);
    putHeader(frame, 0, address, block, true);
    frame[3] = (value >> 8) & 0xff;
    frame[4] = value & 0xff;
    const op = this.one[0];
    op.op = SpiOp.Write;
    op.buf = frame;
    return this.spi.transaction(this.one);
  }
}
