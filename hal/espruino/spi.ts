/// <reference types="espruino" />
import { SpiOp } from '../spi';
import type { SpiDevice, SpiOperation } from '../spi';

/**
 * SPI device on an Espruino SPI port. Each transaction is one `SPI.send` of one Uint8Array with
 * the CS pin, so the bytes move in C and CS frames the whole transaction.
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
}
