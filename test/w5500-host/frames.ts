import {
  Block, CommonReg, Control, SnReg, Sn_CR, Sn_MR, rxBlock, socketBlock, txBlock,
} from '../../hal/w5500/registers';

/**
 * Raw W5500 SPI frames for driving the chip model in these tests (one frame per chip-select window,
 * variable-length data mode), independent of the project's driver.
 */

export type Exchange = (mosi: Uint8Array) => Uint8Array;

export function readFrame(x: Exchange, block: number, addr: number, n: number): Uint8Array {
  const mosi = new Uint8Array(3 + n);
  mosi[0] = addr >> 8;
  mosi[1] = addr & 0xff;
  mosi[2] = (block << 3) | Control.Read | Control.VDM;
  return x(mosi).slice(3);
}

export function writeFrame(x: Exchange, block: number, addr: number, data: ArrayLike<number>): void {
  const mosi = new Uint8Array(3 + data.length);
  mosi[0] = addr >> 8;
  mosi[1] = addr & 0xff;
  mosi[2] = (block << 3) | Control.Write | Control.VDM;
  mosi.set(data, 3);
  x(mosi);
}

const ip4 = (ip: string) => ip.split('.').map(Number);
const be16 = (v: number) => [(v >> 8) & 0xff, v & 0xff];

/** one hardware socket, driven by raw frames */
export class RawSocket {
  constructor(private x: Exchange, readonly n: number) {}

  reg(off: number, len: number): Uint8Array {
    return readFrame(this.x, socketBlock(this.n), off, len);
  }
  set(off: number, data: ArrayLike<number>): void {
    writeFrame(this.x, socketBlock(this.n), off, data);
  }
  get sr(): number {
    return this.reg(SnReg.Sn_SR, 1)[0];
  }
  get ir(): number {
    return this.reg(SnReg.Sn_IR, 1)[0];
  }
  clearIr(bits: number): void {
    this.set(SnReg.Sn_IR, [bits]);
  }
  /** a 16-bit counter read twice until two reads agree (datasheet advice) */
  reg16(off: number): number {
    for (;;) {
      const a = this.reg(off, 2);
      const b = this.reg(off, 2);
      if (a[0] === b[0] && a[1] === b[1]) return (a[0] << 8) | a[1];
    }
  }
  /** writes Sn_CR and waits (bounded) until the chip has accepted the command */
  command(cr: Sn_CR): void {
    this.set(SnReg.Sn_CR, [cr]);
    for (let i = 0; i < 1000; i++) if (this.reg(SnReg.Sn_CR, 1)[0] === 0) return;
    throw new Error(`Sn_CR ${cr} never accepted`);
  }
  open(mode: Sn_MR, port: number): void {
    this.set(SnReg.Sn_MR, [mode]);
    this.set(SnReg.Sn_PORT, be16(port));
    this.command(Sn_CR.OPEN);
  }
  connect(ip: string, port: number): void {
    this.set(SnReg.Sn_DIPR, ip4(ip));
    this.set(SnReg.Sn_DPORT, be16(port));
    this.command(Sn_CR.CONNECT);
  }
  /** TCP or UDP: write at Sn_TX_WR, advance it, SEND */
  send(bytes: ArrayLike<number>): void {
    const wr = this.reg16(SnReg.Sn_TX_WR);
    writeFrame(this.x, txBlock(this.n), wr, bytes);
    this.set(SnReg.Sn_TX_WR, be16((wr + bytes.length) & 0xffff));
    this.command(Sn_CR.SEND);
  }
  sendTo(ip: string, port: number, bytes: ArrayLike<number>): void {
    this.set(SnReg.Sn_DIPR, ip4(ip));
    this.set(SnReg.Sn_DPORT, be16(port));
    this.send(bytes);
  }
  get rsr(): number {
    return this.reg16(SnReg.Sn_RX_RSR);
  }
  /** everything in the RX buffer, then RECV */
  recv(): Uint8Array {
    const n = this.rsr;
    const rd = this.reg16(SnReg.Sn_RX_RD);
    const data = n > 0 ? readFrame(this.x, rxBlock(this.n), rd, n) : new Uint8Array(0);
    this.set(SnReg.Sn_RX_RD, be16((rd + n) & 0xffff));
    this.command(Sn_CR.RECV);
    return data;
  }
  get dipr(): string {
    return Array.from(this.reg(SnReg.Sn_DIPR, 4)).join('.');
  }
  get dport(): number {
    const b = this.reg(SnReg.Sn_DPORT, 2);
    return (b[0] << 8) | b[1];
  }
}

/** network identity: SHAR, GAR, SUBR, SIPR */
export function configure(x: Exchange, ip: string): void {
  writeFrame(x, Block.Common, CommonReg.SHAR, [0x02, 0x00, 0x00, 0x12, 0x34, 0x56]);
  writeFrame(x, Block.Common, CommonReg.GAR, ip4(ip).slice(0, 3).concat([1]));
  writeFrame(x, Block.Common, CommonReg.SUBR, [255, 255, 255, 0]);
  writeFrame(x, Block.Common, CommonReg.SIPR, ip4(ip));
}

export function versionr(x: Exchange): number {
  return readFrame(x, Block.Common, CommonReg.VERSIONR, 1)[0];
}
