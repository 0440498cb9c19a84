import type { SpiDevice, SpiOperation } from '../spi';
import { SpiOp } from '../spi';

/** Whatever answers one chip-select window: MOSI bytes in, MISO bytes out (same length). */
export type SpiExchange = (mosi: Uint8Array) => Uint8Array;

/** An SPI device in Node whose chip is a function, e.g. a chip model or a client of a model in another thread. */
export class NodeSpiDevice implements SpiDevice {
  constructor(private exchange: SpiExchange) {}
  transaction(ops: SpiOperation[]): boolean {
    let n = 0;
    for (const o of ops) n += o.buf.length;
    const tx = new Uint8Array(n);
    let at = 0;
    for (const o of ops) {
      if (o.op !== SpiOp.Read) tx.set(o.buf, at);
      at += o.buf.length;
    }
    let rx: Uint8Array;
    try {
      rx = this.exchange(tx);
    } catch {
      return false;
    }
    if (rx.length !== n) return false;
    at = 0;
    for (const o of ops) {
      if (o.op !== SpiOp.Write) o.buf.set(rx.subarray(at, at + o.buf.length));
      at += o.buf.length;
    }
    return true;
  }
}
