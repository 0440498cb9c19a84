/**
 * W5500 register map, named and valued as in the datasheet (v1.0.9, p.13–14 and p.38–57) and
 * WIZnet's ioLibrary `w5500.h`. Numbers are written here once; everything else imports them.
 */

/** Block select (BSB, control byte bits 7–3). Socket n: register block 1+4n, TX 2+4n, RX 3+4n. */
export const enum Block {
  Common = 0x00,
}
export function socketBlock(n: number): number { return 1 + 4 * n; }
export function txBlock(n: number): number { return 2 + 4 * n; }
export function rxBlock(n: number): number { return 3 + 4 * n; }

/** Control byte: RWB (bit 2) and OM (bits 1–0). */
export const enum Control {
  Read = 0x00,
  Write = 0x04,
  /** variable-length data mode: the CS window sets the length */
  VDM = 0x00,
  FDM1 = 0x01,
  FDM2 = 0x02,
  FDM4 = 0x03,
}

/** Common register addresses (BSB 0). */
export const enum CommonReg {
  MR = 0x0000,
  GAR = 0x0001,
  SUBR = 0x0005,
  SHAR = 0x0009,
  SIPR = 0x000f,
  INTLEVEL = 0x0013,
  IR = 0x0015,
  IMR = 0x0016,
  SIR = 0x0017,
  SIMR = 0x0018,
  RTR = 0x0019,
  RCR = 0x001b,
  PTIMER = 0x001c,
  PMAGIC = 0x001d,
  PHAR = 0x001e,
  PSID = 0x0024,
  PMRU = 0x0026,
  UIPR = 0x0028,
  UPORTR = 0x002c,
  PHYCFGR = 0x002e,
  VERSIONR = 0x0039,
}

/** Size of the common register block that holds registers (0x0000–0x0039). */
export const enum CommonSize {
  Length = 0x3a,
}

export const enum MR {
  RST = 0x80,
  WOL = 0x20,
  PB = 0x10,
  PPPoE = 0x08,
  FARP = 0x02,
}

export const enum IR {
  CONFLICT = 0x80,
  UNREACH = 0x40,
  PPPoE = 0x20,
  MP = 0x10,
}

export const enum PHYCFGR {
  RST = 0x80,
  OPMD = 0x40,
  OPMDC_MASK = 0x38,
  OPMDC_ALLAUTO = 0x38,
  OPMDC_PDOWN = 0x30,
  DPX = 0x04,
  SPD = 0x02,
  LNK = 0x01,
}

export const enum VERSIONR {
  W5500 = 0x04,
}

/** Socket register offsets inside a socket block (BSB 1+4n). */
export const enum SnReg {
  Sn_MR = 0x00,
  Sn_CR = 0x01,
  Sn_IR = 0x02,
  Sn_SR = 0x03,
  Sn_PORT = 0x04,
  Sn_DHAR = 0x06,
  Sn_DIPR = 0x0c,
  Sn_DPORT = 0x10,
  Sn_MSSR = 0x12,
  Sn_TOS = 0x15,
  Sn_TTL = 0x16,
  Sn_RXBUF_SIZE = 0x1e,
  Sn_TXBUF_SIZE = 0x1f,
  Sn_TX_FSR = 0x20,
  Sn_TX_RD = 0x22,
  Sn_TX_WR = 0x24,
  Sn_RX_RSR = 0x26,
  Sn_RX_RD = 0x28,
  Sn_RX_WR = 0x2a,
  Sn_IMR = 0x2c,
  Sn_FRAG = 0x2d,
  Sn_KPALVTR = 0x2f,
}

/** Size of a socket register block that holds registers (0x00–0x2F). */
export const enum SnSize {
  Length = 0x30,
}

/** Sn_MR: protocol (bits 3–0) and flags. */
export const enum Sn_MR {
  CLOSE = 0x00,
  TCP = 0x01,
  UDP = 0x02,
  MACRAW = 0x04,
  P_MASK = 0x0f,
  MULTI = 0x80,
  MFEN = 0x80,
  BCASTB = 0x40,
  ND = 0x20,
  MC = 0x20,
  MMB = 0x20,
  UCASTB = 0x10,
  MIP6B = 0x10,
}

export const enum Sn_CR {
  OPEN = 0x01,
  LISTEN = 0x02,
  CONNECT = 0x04,
  DISCON = 0x08,
  CLOSE = 0x10,
  SEND = 0x20,
  SEND_MAC = 0x21,
  SEND_KEEP = 0x22,
  RECV = 0x40,
}

export const enum Sn_IR {
  CON = 0x01,
  DISCON = 0x02,
  RECV = 0x04,
  TIMEOUT = 0x08,
  SEND_OK = 0x10,
  ALL = 0x1f,
}

export const enum Sn_SR {
  SOCK_CLOSED = 0x00,
  SOCK_INIT = 0x13,
  SOCK_LISTEN = 0x14,
  SOCK_SYNSENT = 0x15,
  SOCK_SYNRECV = 0x16,
  SOCK_ESTABLISHED = 0x17,
  SOCK_FIN_WAIT = 0x18,
  SOCK_CLOSING = 0x1a,
  SOCK_TIME_WAIT = 0x1b,
  SOCK_CLOSE_WAIT = 0x1c,
  SOCK_LAST_ACK = 0x1d,
  SOCK_UDP = 0x22,
  SOCK_MACRAW = 0x42,
}

/** 8 sockets, 16 KB of TX and 16 KB of RX memory shared among them. */
export const enum Chip {
  SOCKETS = 8,
  TX_MEMORY = 16384,
  RX_MEMORY = 16384,
  UDP_HEADER = 8,
  MACRAW_HEADER = 2,
}
