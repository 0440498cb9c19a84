/**
 * Every control register: name, reset value, whether an RCR of it clocks out a dummy byte first (MAC and MII
 * registers, DS Fig. 4-4), and which bits a write can change (DS Table 3-2 reset values and the bit maps of §3,
 * §6, §7, §12). Unlisted addresses are reserved: they read 0 and ignore writes.
 */
import { EREVID_B7, Reg } from './registers';

export const enum Kind { Reserved = 0, Eth = 1, MacMii = 2 }

export interface RegDef {
  name: string;
  reset: number;
  kind: Kind;
  /** bits a WCR/BFS/BFC may change (0: read-only) */
  writable: number;
}

function d(name: string, id: number, reset: number, kind: Kind, writable: number): [number, RegDef] {
  return [id, { name, reset, kind, writable }];
}
const E = Kind.Eth;
const M = Kind.MacMii;

const DEFS: [number, RegDef][] = [
  d('ERDPTL', Reg.ERDPTL, 0xfa, E, 0xff), d('ERDPTH', Reg.ERDPTH, 0x05, E, 0x1f),
  d('EWRPTL', Reg.EWRPTL, 0x00, E, 0xff), d('EWRPTH', Reg.EWRPTH, 0x00, E, 0x1f),
  d('ETXSTL', Reg.ETXSTL, 0x00, E, 0xff), d('ETXSTH', Reg.ETXSTH, 0x00, E, 0x1f),
  d('ETXNDL', Reg.ETXNDL, 0x00, E, 0xff), d('ETXNDH', Reg.ETXNDH, 0x00, E, 0x1f),
  d('ERXSTL', Reg.ERXSTL, 0xfa, E, 0xff), d('ERXSTH', Reg.ERXSTH, 0x05, E, 0x1f),
  d('ERXNDL', Reg.ERXNDL, 0xff, E, 0xff), d('ERXNDH', Reg.ERXNDH, 0x1f, E, 0x1f),
  d('ERXRDPTL', Reg.ERXRDPTL, 0xfa, E, 0xff), d('ERXRDPTH', Reg.ERXRDPTH, 0x05, E, 0x1f),
  d('ERXWRPTL', Reg.ERXWRPTL, 0x00, E, 0), d('ERXWRPTH', Reg.ERXWRPTH, 0x00, E, 0),
  d('EDMASTL', Reg.EDMASTL, 0x00, E, 0xff), d('EDMASTH', Reg.EDMASTH, 0x00, E, 0x1f),
  d('EDMANDL', Reg.EDMANDL, 0x00, E, 0xff), d('EDMANDH', Reg.EDMANDH, 0x00, E, 0x1f),
  d('EDMADSTL', Reg.EDMADSTL, 0x00, E, 0xff), d('EDMADSTH', Reg.EDMADSTH, 0x00, E, 0x1f),
  d('EDMACSL', Reg.EDMACSL, 0x00, E, 0), d('EDMACSH', Reg.EDMACSH, 0x00, E, 0),
  d('EIE', Reg.EIE, 0x00, E, 0xfb),
  // PKTIF and LINKIF are cleared by the chip only (PKTDEC to 0, a PHIR read)
  d('EIR', Reg.EIR, 0x00, E, 0x2b),
  // TXABRT and BUFER are cleared by software; the rest is status
  d('ESTAT', Reg.ESTAT, 0x00, E, 0x42),
  d('ECON2', Reg.ECON2, 0x80, E, 0xe8),
  d('ECON1', Reg.ECON1, 0x00, E, 0xff),
  d('EPMCSL', Reg.EPMCSL, 0x00, E, 0xff), d('EPMCSH', Reg.EPMCSH, 0x00, E, 0xff),
  d('EPMOL', Reg.EPMOL, 0x00, E, 0xff), d('EPMOH', Reg.EPMOH, 0x00, E, 0x1f),
  d('EWOLIE', Reg.EWOLIE, 0x00, E, 0xff), d('EWOLIR', Reg.EWOLIR, 0x00, E, 0xff),
  d('ERXFCON', Reg.ERXFCON, 0xa1, E, 0xff),
  d('EPKTCNT', Reg.EPKTCNT, 0x00, E, 0),
  d('MACON1', Reg.MACON1, 0x00, M, 0x1f), d('MACON3', Reg.MACON3, 0x00, M, 0xff), d('MACON4', Reg.MACON4, 0x00, M, 0x70),
  d('MABBIPG', Reg.MABBIPG, 0x00, M, 0x7f), d('MAIPGL', Reg.MAIPGL, 0x00, M, 0x7f), d('MAIPGH', Reg.MAIPGH, 0x00, M, 0x7f),
  d('MACLCON1', Reg.MACLCON1, 0x0f, M, 0x0f), d('MACLCON2', Reg.MACLCON2, 0x37, M, 0x3f),
  d('MAMXFLL', Reg.MAMXFLL, 0x00, M, 0xff), d('MAMXFLH', Reg.MAMXFLH, 0x06, M, 0xff),
  d('MAPHSUP', Reg.MAPHSUP, 0x00, M, 0x99), d('MICON', Reg.MICON, 0x00, M, 0x80),
  d('MICMD', Reg.MICMD, 0x00, M, 0x03), d('MIREGADR', Reg.MIREGADR, 0x00, M, 0x1f),
  d('MIWRL', Reg.MIWRL, 0x00, M, 0xff), d('MIWRH', Reg.MIWRH, 0x00, M, 0xff),
  d('MIRDL', Reg.MIRDL, 0x00, M, 0), d('MIRDH', Reg.MIRDH, 0x00, M, 0),
  d('MAADR5', Reg.MAADR5, 0x00, M, 0xff), d('MAADR6', Reg.MAADR6, 0x00, M, 0xff), d('MAADR3', Reg.MAADR3, 0x00, M, 0xff),
  d('MAADR4', Reg.MAADR4, 0x00, M, 0xff), d('MAADR1', Reg.MAADR1, 0x00, M, 0xff), d('MAADR2', Reg.MAADR2, 0x00, M, 0xff),
  d('EBSTSD', Reg.EBSTSD, 0x00, E, 0xff), d('EBSTCON', Reg.EBSTCON, 0x00, E, 0xff),
  d('EBSTCSL', Reg.EBSTCSL, 0x00, E, 0), d('EBSTCSH', Reg.EBSTCSH, 0x00, E, 0),
  d('MISTAT', Reg.MISTAT, 0x00, M, 0),
  d('EREVID', Reg.EREVID, EREVID_B7, E, 0),
  d('ECOCON', Reg.ECOCON, 0x04, E, 0x07), d('EFLOCON', Reg.EFLOCON, 0x00, E, 0x03),
  d('EPAUSL', Reg.EPAUSL, 0x00, E, 0xff), d('EPAUSH', Reg.EPAUSH, 0x10, E, 0xff),
];
for (let i = 0; i < 8; i++) {
  DEFS.push(d('EHT' + i, Reg.EHT0 + i, 0, E, 0xff));
  DEFS.push(d('EPMM' + i, Reg.EPMM0 + i, 0, E, 0xff));
}

const RESERVED: RegDef = { name: '', reset: 0, kind: Kind.Reserved, writable: 0 };

/** the definition of register id 0–127 (ids 0x3B–0x3F, 0x5B–… alias the common registers and resolve to bank 0) */
export const REGS: RegDef[] = [];
for (let i = 0; i < 128; i++) REGS.push(RESERVED);
for (const [id, def] of DEFS) REGS[id] = def;

/** the register id an SPI argument means in a bank: 0x1B–0x1F are common */
export function regId(bank: number, addr: number): number {
  return addr >= Reg.EIE ? addr : (bank << 5) | addr;
}

export function resetValues(): Uint8Array {
  const r = new Uint8Array(128);
  for (let i = 0; i < 128; i++) r[i] = REGS[i].reset;
  return r;
}
