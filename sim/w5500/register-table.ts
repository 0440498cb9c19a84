/**
 * Reset values, access kinds and names of every W5500 register (docs/w5500.md §2–§3), laid out byte by
 * byte so the SPI front can answer any offset, including a burst that crosses register boundaries.
 * Addresses come from hal/w5500/registers.ts.
 */
import { CommonReg, CommonSize, SnReg, SnSize, PHYCFGR } from '../../hal/w5500/registers';

/** How the chip treats a byte: plain storage, read-only, write-one-to-clear, computed, or reserved (reads 0, ignores writes). */
export const enum Access { RW, RO, W1C, Reserved }

export interface RegDef { name: string; addr: number; size: number; reset: number; access: Access }

function r(name: string, addr: number, size: number, reset: number, access: Access): RegDef {
  return { name, addr, size, reset, access };
}

/** PHYCFGR after reset: RST=1, OPMD=0 (mode from the PMODE pins, all-auto), link bits filled in live. */
export const PHYCFGR_RESET = PHYCFGR.RST | PHYCFGR.OPMDC_ALLAUTO;

export const COMMON_REGS: RegDef[] = [
  r('MR', CommonReg.MR, 1, 0x00, Access.RW),
  r('GAR', CommonReg.GAR, 4, 0, Access.RW),
  r('SUBR', CommonReg.SUBR, 4, 0, Access.RW),
  r('SHAR', CommonReg.SHAR, 6, 0, Access.RW),
  r('SIPR', CommonReg.SIPR, 4, 0, Access.RW),
  r('INTLEVEL', CommonReg.INTLEVEL, 2, 0, Access.RW),
  r('IR', CommonReg.IR, 1, 0, Access.W1C),
  r('IMR', CommonReg.IMR, 1, 0, Access.RW),
  r('SIR', CommonReg.SIR, 1, 0, Access.RO),
  r('SIMR', CommonReg.SIMR, 1, 0, Access.RW),
  r('RTR', CommonReg.RTR, 2, 0x07d0, Access.RW),
  r('RCR', CommonReg.RCR, 1, 0x08, Access.RW),
  r('PTIMER', CommonReg.PTIMER, 1, 0x28, Access.RW),
  r('PMAGIC', CommonReg.PMAGIC, 1, 0, Access.RW),
  r('PHAR', CommonReg.PHAR, 6, 0, Access.RW),
  r('PSID', CommonReg.PSID, 2, 0, Access.RW),
  r('PMRU', CommonReg.PMRU, 2, 0xffff, Access.RW),
  r('UIPR', CommonReg.UIPR, 4, 0, Access.RO),
  r('UPORTR', CommonReg.UPORTR, 2, 0, Access.RO),
  r('PHYCFGR', CommonReg.PHYCFGR, 1, PHYCFGR_RESET, Access.RW),
  r('VERSIONR', CommonReg.VERSIONR, 1, 0x04, Access.RO),
];

export const SOCKET_REGS: RegDef[] = [
  r('Sn_MR', SnReg.Sn_MR, 1, 0, Access.RW),
  r('Sn_CR', SnReg.Sn_CR, 1, 0, Access.RW),
  r('Sn_IR', SnReg.Sn_IR, 1, 0, Access.W1C),
  r('Sn_SR', SnReg.Sn_SR, 1, 0, Access.RO),
  r('Sn_PORT', SnReg.Sn_PORT, 2, 0, Access.RW),
  r('Sn_DHAR', SnReg.Sn_DHAR, 6, 0xffffffffffff, Access.RW),
  r('Sn_DIPR', SnReg.Sn_DIPR, 4, 0, Access.RW),
  r('Sn_DPORT', SnReg.Sn_DPORT, 2, 0, Access.RW),
  r('Sn_MSSR', SnReg.Sn_MSSR, 2, 0, Access.RW),
  r('Sn_TOS', SnReg.Sn_TOS, 1, 0, Access.RW),
  r('Sn_TTL', SnReg.Sn_TTL, 1, 0x80, Access.RW),
  r('Sn_RXBUF_SIZE', SnReg.Sn_RXBUF_SIZE, 1, 0x02, Access.RW),
  r('Sn_TXBUF_SIZE', SnReg.Sn_TXBUF_SIZE, 1, 0x02, Access.RW),
  r('Sn_TX_FSR', SnReg.Sn_TX_FSR, 2, 0x0800, Access.RO),
  r('Sn_TX_RD', SnReg.Sn_TX_RD, 2, 0, Access.RO),
  r('Sn_TX_WR', SnReg.Sn_TX_WR, 2, 0, Access.RW),
  r('Sn_RX_RSR', SnReg.Sn_RX_RSR, 2, 0, Access.RO),
  r('Sn_RX_RD', SnReg.Sn_RX_RD, 2, 0, Access.RW),
  r('Sn_RX_WR', SnReg.Sn_RX_WR, 2, 0, Access.RO),
  r('Sn_IMR', SnReg.Sn_IMR, 1, 0xff, Access.RW),
  r('Sn_FRAG', SnReg.Sn_FRAG, 2, 0x4000, Access.RW),
  r('Sn_KPALVTR', SnReg.Sn_KPALVTR, 1, 0, Access.RW),
];

export interface ByteMap {
  /** register name per byte offset ('' = reserved) */
  names: string[];
  access: Access[];
  reset: Uint8Array;
}

function layout(defs: RegDef[], length: number): ByteMap {
  const names: string[] = [];
  const access: Access[] = [];
  const reset = new Uint8Array(length);
  for (let i = 0; i < length; i++) { names.push(''); access.push(Access.Reserved); }
  for (const d of defs) {
    for (let k = 0; k < d.size; k++) {
      const a = d.addr + k;
      names[a] = d.name;
      access[a] = d.access;
      reset[a] = Math.floor(d.reset / Math.pow(256, d.size - 1 - k)) & 0xff;
    }
  }
  return { names, access, reset };
}

export const COMMON_MAP = layout(COMMON_REGS, CommonSize.Length);
export const SOCKET_MAP = layout(SOCKET_REGS, SnSize.Length);
