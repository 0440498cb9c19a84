import type { SpiChip } from './chip';
import { Block, CommonReg, SnReg, VERSIONR, Chip, socketBlock, Control } from '../../hal/w5500/registers';

const BLOCK_SIZE = 0x10000;
/** what the W5500 shifts out while it reads the 3 header bytes; drivers ignore it */
const HEADER_MISO = [0x01, 0x02, 0x03];

/**
 * A W5500 with registers and no behaviour: it answers variable- and fixed-length frames against
 * plain memory (the common block, the socket register blocks and the socket buffers), with the
 * datasheet's reset values for the registers a presence check and an init read. Commands do
 * nothing, INTn never moves. It stands in for the chip model while that is being written.
 */
export class W5500RegisterStub implements SpiChip {
  /** chip-select windows seen */
  frames = 0;
  private blocks = new Map<number, Uint8Array>();

  constructor() {
    this.reset();
  }

  reset(): void {
    this.blocks.clear();
    const common = this.block(Block.Common)!;
    common[CommonReg.VERSIONR] = VERSIONR.W5500;
    common[CommonReg.RTR] = 0x07; common[CommonReg.RTR + 1] = 0xd0;
    common[CommonReg.RCR] = 0x08;
    common[CommonReg.PTIMER] = 0x28;
    common[CommonReg.PMRU] = 0xff; common[CommonReg.PMRU + 1] = 0xff;
    common[CommonReg.PHYCFGR] = 0xb8;
    for (let n = 0; n < Chip.SOCKETS; n++) {
      const s = this.block(socketBlock(n))!;
      s.fill(0xff, SnReg.Sn_DHAR, SnReg.Sn_DHAR + 6);
      s[SnReg.Sn_TTL] = 0x80;
      s[SnReg.Sn_RXBUF_SIZE] = 2;
      s[SnReg.Sn_TXBUF_SIZE] = 2;
      s[SnReg.Sn_TX_FSR] = 0x08; s[SnReg.Sn_TX_FSR + 1] = 0x00;
    }
  }

  /** the memory behind a block select code, or undefined for a reserved code */
  block(bsb: number): Uint8Array | undefined {
    if (bsb !== Block.Common && ((bsb & 3) === 0 || bsb > 31)) return undefined;
    let b = this.blocks.get(bsb);
    if (!b) {
      b = new Uint8Array(BLOCK_SIZE);
      this.blocks.set(bsb, b);
    }
    return b;
  }

  exchange(mosi: Uint8Array): Uint8Array {
    this.frames++;
    const miso = new Uint8Array(mosi.length);
    miso.set(HEADER_MISO.slice(0, Math.min(3, mosi.length)));
    if (mosi.length < 3) return miso;
    const address = (mosi[0] << 8) | mosi[1];
    const control = mosi[2];
    const om = control & 0x03;
    const write = (control & Control.Write) !== 0;
    const length = om === Control.VDM ? mosi.length - 3 : Math.min(mosi.length - 3, om === Control.FDM4 ? 4 : om);
    const mem = this.block(control >> 3);
    for (let i = 0; i < length; i++) {
      const a = (address + i) & 0xffff;
      if (!mem) continue;
      if (write) mem[a] = mosi[3 + i];
      else miso[3 + i] = mem[a];
    }
    return miso;
  }
}
