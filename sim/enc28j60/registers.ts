/**
 * ENC28J60 numbers as the model needs them (DS39662E §3, §4, §7, §12; errata DS80349C). The model keeps its own
 * copy of the datasheet's numbers rather than the driver's (hal/enc28j60), so a wrong number in the driver shows
 * up as a failing test instead of being agreed with.
 *
 * A register is named by `id = bank << 5 | address`; 0x1B–0x1F (EIE … ECON1) are the same register in every
 * bank and are stored under bank 0.
 */

/** SPI opcodes, bits 7–5 of byte 0 (DS Table 4-1) */
export const enum Opcode { RCR = 0, RBM = 1, WCR = 2, WBM = 3, BFS = 4, BFC = 5, SRC = 7 }
/** the 5-bit argument RBM and WBM must carry */
export const BUFFER_ARG = 0x1a;
export const SRC_BYTE = 0xff;

export const enum Reg {
  ERDPTL = 0x00, ERDPTH = 0x01, EWRPTL = 0x02, EWRPTH = 0x03, ETXSTL = 0x04, ETXSTH = 0x05, ETXNDL = 0x06,
  ETXNDH = 0x07, ERXSTL = 0x08, ERXSTH = 0x09, ERXNDL = 0x0a, ERXNDH = 0x0b, ERXRDPTL = 0x0c, ERXRDPTH = 0x0d,
  ERXWRPTL = 0x0e, ERXWRPTH = 0x0f, EDMASTL = 0x10, EDMASTH = 0x11, EDMANDL = 0x12, EDMANDH = 0x13,
  EDMADSTL = 0x14, EDMADSTH = 0x15, EDMACSL = 0x16, EDMACSH = 0x17,
  EIE = 0x1b, EIR = 0x1c, ESTAT = 0x1d, ECON2 = 0x1e, ECON1 = 0x1f,
  EHT0 = 0x20, EPMM0 = 0x28, EPMCSL = 0x30, EPMCSH = 0x31, EPMOL = 0x34, EPMOH = 0x35, EWOLIE = 0x36,
  EWOLIR = 0x37, ERXFCON = 0x38, EPKTCNT = 0x39,
  MACON1 = 0x40, MACON3 = 0x42, MACON4 = 0x43, MABBIPG = 0x44, MAIPGL = 0x46, MAIPGH = 0x47, MACLCON1 = 0x48,
  MACLCON2 = 0x49, MAMXFLL = 0x4a, MAMXFLH = 0x4b, MAPHSUP = 0x4d, MICON = 0x51, MICMD = 0x52, MIREGADR = 0x54,
  MIWRL = 0x56, MIWRH = 0x57, MIRDL = 0x58, MIRDH = 0x59,
  MAADR5 = 0x60, MAADR6 = 0x61, MAADR3 = 0x62, MAADR4 = 0x63, MAADR1 = 0x64, MAADR2 = 0x65, EBSTSD = 0x66,
  EBSTCON = 0x67, EBSTCSL = 0x68, EBSTCSH = 0x69, MISTAT = 0x6a, EREVID = 0x72, ECOCON = 0x75, EFLOCON = 0x77,
  EPAUSL = 0x78, EPAUSH = 0x79,
}

export const enum EIE { INTIE = 0x80, PKTIE = 0x40, DMAIE = 0x20, LINKIE = 0x10, TXIE = 0x08, TXERIE = 0x02, RXERIE = 0x01 }
export const enum EIR { PKTIF = 0x40, DMAIF = 0x20, LINKIF = 0x10, TXIF = 0x08, TXERIF = 0x02, RXERIF = 0x01, ALL = 0x7b }
export const enum ESTAT { INT = 0x80, BUFER = 0x40, LATECOL = 0x10, RXBUSY = 0x04, TXABRT = 0x02, CLKRDY = 0x01 }
export const enum ECON2 { AUTOINC = 0x80, PKTDEC = 0x40, PWRSV = 0x20, VRPS = 0x08 }
export const enum ECON1 { TXRST = 0x80, RXRST = 0x40, DMAST = 0x20, CSUMEN = 0x10, TXRTS = 0x08, RXEN = 0x04, BSEL = 0x03 }
export const enum ERXFCON { UCEN = 0x80, ANDOR = 0x40, CRCEN = 0x20, PMEN = 0x10, MPEN = 0x08, HTEN = 0x04, MCEN = 0x02, BCEN = 0x01 }
export const enum MACON1 { LOOPBK = 0x10, TXPAUS = 0x08, RXPAUS = 0x04, PASSALL = 0x02, MARXEN = 0x01 }
export const enum MACON3 { PADCFG = 0xe0, PADCFG_SHIFT = 5, TXCRCEN = 0x10, PHDRLEN = 0x08, HFRMLEN = 0x04, FRMLNEN = 0x02, FULDPX = 0x01 }
export const enum MICMD { MIISCAN = 0x02, MIIRD = 0x01 }
export const enum MISTAT { NVALID = 0x04, SCAN = 0x02, BUSY = 0x01 }
/** per-packet control byte in front of a TX frame (DS Fig. 7-1) */
export const enum TxControl { PHUGEEN = 0x08, PPADEN = 0x04, PCRCEN = 0x02, POVERRIDE = 0x01 }

export const enum Phy { PHCON1 = 0x00, PHSTAT1 = 0x01, PHID1 = 0x02, PHID2 = 0x03, PHCON2 = 0x10, PHSTAT2 = 0x11, PHIE = 0x12, PHIR = 0x13, PHLCON = 0x14 }
export const enum PHCON1 { PRST = 0x8000, PLOOPBK = 0x4000, PPWRSV = 0x0800, PDPXMD = 0x0100 }
export const enum PHSTAT1 { PFDPX = 0x1000, PHDPX = 0x0800, LLSTAT = 0x0004, JBSTAT = 0x0002 }
export const enum PHCON2 { FRCLINK = 0x4000, TXDIS = 0x2000, JABBER = 0x0400, HDLDIS = 0x0100 }
export const enum PHSTAT2 { TXSTAT = 0x2000, RXSTAT = 0x1000, COLSTAT = 0x0800, LSTAT = 0x0400, DPXSTAT = 0x0200, PLRITY = 0x0020 }
export const enum PHIE { PLNKIE = 0x0010, PGEIE = 0x0002 }
export const enum PHIR { PLNKIF = 0x0010, PGIF = 0x0004 }

/** receive status vector bits 16–31 as stored in header bytes 4–5 (DS Table 7-3), as a 16-bit word */
export const enum Rsv {
  LONG_DROP = 0x0001, CARRIER = 0x0004, CRC_ERROR = 0x0010, LENGTH_CHECK = 0x0020, LENGTH_RANGE = 0x0040,
  RX_OK = 0x0080, MULTICAST = 0x0100, BROADCAST = 0x0200, DRIBBLE = 0x0400, CONTROL = 0x0800, PAUSE = 0x1000,
  UNKNOWN_OPCODE = 0x2000, VLAN = 0x4000,
}
/** transmit status vector bits 16–31 (byte 2 and 3) as a 16-bit word (DS Table 7-1) */
export const enum Tsv {
  CRC_ERROR = 0x0010, LENGTH_CHECK = 0x0020, LENGTH_RANGE = 0x0040, DONE = 0x0080, MULTICAST = 0x0100,
  BROADCAST = 0x0200, DEFERRED = 0x0400, EXCESS_DEFER = 0x0800, EXCESS_COLLISION = 0x1000, LATE_COLLISION = 0x2000,
  GIANT = 0x4000, UNDERRUN = 0x8000,
}

export const enum Mem { SIZE = 0x2000, MASK = 0x1fff }
/** EREVID of silicon rev. B7 (errata DS80349C) */
export const EREVID_B7 = 0x06;
/** PHID1/PHID2 (DS §3.3.5): OUI bits, part number 0x00, revision 0x0 */
export const PHID1_VALUE = 0x0083;
export const PHID2_VALUE = 0x1400;
/** PHLCON after reset (DS Register 2-2): LEDA link, LEDB receive activity, stretch on */
export const PHLCON_RESET = 0x3422;
