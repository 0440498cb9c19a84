/// <reference types="espruino" />
import { SpiOp } from '../spi';
import type { SpiDevice, SpiOperation } from '../spi';

/**
 * SPI device on an Espruino SPI port. Each transaction is one `SPI.send` of one Uint8Array (or one
 * `SPI.write` when it only writes) with the CS pin, so the bytes move in C and CS frames the whole
 * transaction.
 */
export class EspruinoSpiDevice implements SpiDevice {
  spi: SPI;
  cs: Pin;
  constructor(spi: SPI, cs: Pin) {
    this.spi = spi;
    this.cs = cs;
    digitalWrite(cs, 1);
  }

  transaction(ops: SpiOperation[]): boolean {
    if (ops.length <= 2 && ops[0].op === SpiOp.Write && (ops.length === 1 || ops[1].op === SpiOp.Write)) return this.writeOnly(ops);
    let tx: Uint8Array;
    if (ops.length === 1) {
      tx = ops[0].buf;
      if (ops[0].op === SpiOp.Read) tx.fill(0);
    } else {
      let n = 0;
      for (let i = 0; i < ops.length; i++) n += ops[i].buf.length;
      tx = new Uint8Array(n);
      let at = 0;
      for (let i = 0; i < ops.length; i++) {
        if (ops[i].op !== SpiOp.Read) tx.set(ops[i].buf, at);
        at += ops[i].buf.length;
      }
    }
    let rx: Uint8Array;
    try {
      rx = this.spi.send(tx, this.cs);
    } catch (e) {
      return false;
    }
    if (!rx || rx.length !== tx.length) return false;
    let at = 0;
    for (let i = 0; i < ops.length; i++) {
      const o = ops[i];
      if (o.op !== SpiOp.Write) o.buf.set(ops.length === 1 ? rx : rx.subarray(at, at + o.buf.length));
      at += o.buf.length;
    }
    return true;
  }

  /**
   * A transaction that only writes (register writes, TX data behind its header) goes out with
   * `SPI.write`, whose last Pin argument is the chip select: no buffer is joined and no received
   * copy is allocated, which on a fragmented heap could fail for a 2 KB burst.
   */
  private writeOnly(ops: SpiOperation[]): boolean {
    try {
      if (ops.length === 1) this.spi.write(ops[0].buf, this.cs);
      else this.spi.write(ops[0].buf, ops[1].buf, this.cs);
    } catch (e) {
      return false;
    }
    return true;
  }
}
