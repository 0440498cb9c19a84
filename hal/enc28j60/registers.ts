/**
 * ENC28J60 register map, named and valued as in the datasheet (DS39662E, Tables 3-1 to 3-3, §4, §7,
 * §12) and the silicon errata (DS80349C). Numbers are written here once; everything else imports them.
 */

/** SPI instruction opcodes (DS Table 4-1): bits 7–5 opcode, bits 4–0 the register address. */
export const enum Op {
  RCR = 0x00,
  RBM = 0x3a,
  WCR = 0x40,
  WBM = 0x7a,
  BFS = 0x80,
  BFC = 0xa0,
  SRC = 0xff,
}

/**
 * Register ids: bits 4–0 the address inside the bank, bits 6–5 the bank, bit 7 set for MAC/MII
 * registers (an RCR of those clocks out a dummy byte first, DS Fig. 4-4). 0x1B–0x1F exist in every bank.
 */
export const enum Reg {
  // every bank
  EIE = 0x1b,
  EIR = 0x1c,
  ESTAT = 0x1d,
  ECON2 = 0x1e,
  ECON1 = 0x1f,
  // bank 0
  ERDPTL = 0x00,
  ERDPTH = 0x01,
  EWRPTL = 0x02,
  EWRPTH = 0x03,
  ETXSTL = 0x04,
  ETXSTH = 0x05,
  ETXNDL = 0x06,
  ETXNDH = 0x07,
  ERXSTL = 0x08,
  ERXSTH = 0x09,
  ERXNDL = 0x0a,
  ERXNDH = 0x0b,
  ERXRDPTL = 0x0c,
  ERXRDPTH = 0x0d,
  ERXWRPTL = 0x0e,
  ERXWRPTH = 0x0f,
  // bank 1
  ERXFCON = 0x38,
  EPKTCNT = 0x39,
  // bank 2 (MAC/MII)
  MACON1 = 0xc0,
  MACON3 = 0xc2,
  MACON4 = 0xc3,
  MABBIPG = 0xc4,
  MAIPGL = 0xc6,
  MAIPGH = 0xc7,
  MACLCON1 = 0xc8,
  MACLCON2 = 0xc9,
  MAMXFLL = 0xca,
  MAMXFLH = 0xcb,
  MICMD = 0xd2,
  MIREGADR = 0xd4,
  MIWRL = 0xd6,
  MIWRH = 0xd7,
  MIRDL = 0xd8,
  MIRDH = 0xd9,
  // bank 3: MAADR1 is the first octet on the wire (DS Table 3-1 order: 5, 6, 3, 4, 1, 2)
  MAADR5 = 0xe0,
  MAADR6 = 0xe1,
  MAADR3 = 0xe2,
  MAADR4 = 0xe3,
  MAADR1 = 0xe4,
  MAADR2 = 0xe5,
  MISTAT = 0xea,
  EREVID = 0x72,
}

/** Field masks of a register id. */
export const enum RegBits {
  ADDR = 0x1f,
  BANK = 0x60,
  BANK_SHIFT = 5,
  MACMII = 0x80,
  /** addresses from here up are in every bank */
  COMMON_FIRST = 0x1b,
}

export const enum EIE {
  INTIE = 0x80,
  PKTIE = 0x40,
  DMAIE = 0x20,
  LINKIE = 0x10,
  TXIE = 0x08,
  TXERIE = 0x02,
  RXERIE = 0x01,
}

export const enum EIR {
  PKTIF = 0x40,
  DMAIF = 0x20,
  LINKIF = 0x10,
  TXIF = 0x08,
  TXERIF = 0x02,
  RXERIF = 0x01,
  ALL = 0x7b,
}

export const enum ESTAT {
  INT = 0x80,
  BUFER = 0x40,
  LATECOL = 0x10,
  RXBUSY = 0x04,
  TXABRT = 0x02,
  CLKRDY = 0x01,
}

export const enum ECON2 {
  AUTOINC = 0x80,
  PKTDEC = 0x40,
  PWRSV = 0x20,
  VRPS = 0x08,
}

export const enum ECON1 {
  TXRST = 0x80,
  RXRST = 0x40,
  DMAST = 0x20,
  CSUMEN = 0x10,
  TXRTS = 0x08,
  RXEN = 0x04,
  BSEL1 = 0x02,
  BSEL0 = 0x01,
  BSEL = 0x03,
}

export const enum ERXFCON {
  UCEN = 0x80,
  ANDOR = 0x40,
  CRCEN = 0x20,
  PMEN = 0x10,
  MPEN = 0x08,
  HTEN = 0x04,
  MCEN = 0x02,
  BCEN = 0x01,
}

export const enum MACON1 {
  LOOPBK = 0x10,
  TXPAUS = 0x08,
  RXPAUS = 0x04,
  PASSALL = 0x02,
  MARXEN = 0x01,
}

export const enum MACON3 {
  PADCFG2 = 0x80,
  PADCFG1 = 0x40,
  PADCFG0 = 0x20,
  TXCRCEN = 0x10,
  PHDRLEN = 0x08,
  HFRMLEN = 0x04,
  FRMLNEN = 0x02,
  FULDPX = 0x01,
}

export const enum MACON4 {
  DEFER = 0x40,
  BPEN = 0x20,
  NOBKOFF = 0x10,
}

/** Inter-packet gaps recommended by DS §6.5 (MABBIPG, MAIPGL, MAIPGH). */
export const enum Gap {
  MABBIPG_FULL = 0x15,
  MABBIPG_HALF = 0x12,
  MAIPGL = 0x12,
  MAIPGH_HALF = 0x0c,
}

export const enum MICMD {
  MIISCAN = 0x02,
  MIIRD = 0x01,
}

export const enum MISTAT {
  NVALID = 0x04,
  SCAN = 0x02,
  BUSY = 0x01,
}

/** PHY registers, reached through MIREGADR (DS Table 3-3). */
export const enum Phy {
  PHCON1 = 0x00,
  PHSTAT1 = 0x01,
  PHID1 = 0x02,
  PHID2 = 0x03,
  PHCON2 = 0x10,
  PHSTAT2 = 0x11,
  PHIE = 0x12,
  PHIR = 0x13,
  PHLCON = 0x14,
}

export const enum PHCON1 {
  PRST = 0x8000,
  PLOOPBK = 0x4000,
  PPWRSV = 0x0800,
  PDPXMD = 0x0100,
}

export const enum PHCON2 {
  FRCLINK = 0x4000,
  TXDIS = 0x2000,
  JABBER = 0x0400,
  HDLDIS = 0x0100,
}

export const enum PHSTAT2 {
  TXSTAT = 0x2000,
  RXSTAT = 0x1000,
  COLSTAT = 0x0800,
  LSTAT = 0x0400,
  DPXSTAT = 0x0200,
  PLRITY = 0x0020,
}

export const enum PHIE {
  PLNKIE = 0x10,
  PGEIE = 0x02,
}

export const enum PHIR {
  PLNKIF = 0x10,
  PGIF = 0x02,
}

/**
 * PHLCON: bits 13–12 must be written 1 (DS Register 2-2); LED A = link status (0100), LED B =
 * transmit and receive activity (0111), stretched (LFRQ 01, STRCH). Never 1110 (errata #11).
 */
export const enum PHLCON {
  LINK_AND_ACTIVITY = 0x3476,
}

/** The per-packet control byte written before a TX frame (DS Fig. 7-1): 0 = MACON3 decides. */
export const enum TxControl {
  PHUGEEN = 0x08,
  PPADEN = 0x04,
  PCRCEN = 0x02,
  POVERRIDE = 0x01,
  USE_MACON3 = 0x00,
}

/**
 * Receive status vector, bytes 2–5 of the 6-byte header that precedes each frame (DS Table 7-3):
 * bytes 2–3 the byte count (CRC included), bytes 4–5 bits 16–31.
 */
export const enum Rsv {
  HEADER = 6,
  /** byte 4 */
  LONG_DROP = 0x01,
  CARRIER_SEEN = 0x04,
  CRC_ERROR = 0x10,
  LENGTH_CHECK_ERROR = 0x20,
  LENGTH_OUT_OF_RANGE = 0x40,
  RECEIVED_OK = 0x80,
}

/** Transmit status vector: 7 bytes written at ETXND + 1 (DS Table 7-1). */
export const enum Tsv {
  LENGTH = 7,
  /** byte 3, bit 29 of the vector: late collision (errata #13, #15: ESTAT.LATECOL is not reliable) */
  BYTE3_LATE_COLLISION = 0x20,
  BYTE3_EXCESSIVE_COLLISIONS = 0x10,
  BYTE3_EXCESSIVE_DEFER = 0x08,
  BYTE3_GIANT = 0x40,
  /** byte 2, bit 23: done */
  BYTE2_DONE = 0x80,
}

/**
 * Buffer layout: the RX ring first (errata #5: ERXST must be 0x0000), ending on an odd address so the
 * ERXRDPT written after a wrap is odd too (errata #14); TX after it, room for the control byte, a
 * 1518-byte frame and the 7-byte TSV.
 */
export const enum Mem {
  RX_START = 0x0000,
  RX_END = 0x19ff,
  RX_SIZE = 0x1a00,
  TX_START = 0x1a00,
  END = 0x1fff,
}

/** Ethernet sizes. */
export const enum Eth {
  /** destination + source + type + 1500 payload */
  MAX_FRAME = 1514,
  CRC = 4,
  /** MAMXFL: the longest frame with its CRC */
  MAX_WITH_CRC = 1518,
  MIN_FRAME = 60,
  MIN_WITH_CRC = 64,
  HEADER = 14,
}

/** Revision codes seen in EREVID; other values are accepted, 0x00 and 0xFF mean no chip. */
export const enum Rev {
  B7 = 0x06,
}
