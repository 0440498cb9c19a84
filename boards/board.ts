/// <reference types="espruino" />
/**
 * A board's wiring: which SPI port and pins carry the network controller, and which controller it
 * is. One file per board in this folder exports `board`; the build turns each into
 * `dist/<file name>.js`. `nic` picks the driver and transport (firmware/nic.ts); each NIC has its own
 * options beside the wiring they share.
 */
export interface BoardWiring {
  /** file name in boards/, also the bundle's name */
  name: string;
  /** the Espruino board id the firmware is built for (process.env.BOARD) */
  espruinoBoard: string;
  spi: SPI;
  sck: Pin;
  miso: Pin;
  mosi: Pin;
  /** SPI clock in Hz */
  baud: number;
  cs: Pin;
  /** the controller's interrupt output, if wired; without it the driver polls */
  int?: Pin;
  /** the controller's reset input, if wired; without it the driver resets by command */
  rst?: Pin;
  /** at E.on('kill') (reset, load, save): how long all connections together may take to close gracefully, ms (firmware/espruino/wiznet.ts; default 2000) */
  killBoundMs?: number;
}

/** WIZnet W5500 with TCP/IP in silicon (the offload transport) */
export interface W5500Board extends BoardWiring {
  nic: 'w5500';
  /** close stale connections left on the chip by an MCU reset hard (CLOSE) instead of gracefully */
  hardResetStaleSockets?: boolean;
}

/** Microchip ENC28J60, MAC only: the project's own TCP/IP stack */
export interface Enc28j60Board extends BoardWiring {
  nic: 'enc28j60';
  /** bytes of frames waiting while the chip transmits one (default 3072) */
  txQueueBytes?: number;
  /** bytes of each connection's send queue and of its receive queue (the window); the MSS announced is half of it, ≤ 1460 (default 2048) */
  tcpBufBytes?: number;
  /** the longest frame received, without CRC (60…1514): the one receive buffer's size; longer frames are dropped and counted (default 1514) */
  maxFrameBytes?: number;
}

/** W5500 with socket 0 in MACRAW mode: the project's own TCP/IP stack (real RST, real TIME_WAIT, no limit of 8 connections) */
export interface W5500MacrawBoard extends BoardWiring {
  nic: 'w5500-macraw';
  /** let multicast frames in (default off) */
  multicast?: boolean;
}

export type BoardConfig = W5500Board | Enc28j60Board | W5500MacrawBoard;

/**
 * What a board has for the firmware and what the runtime may take of it, exported by each board file as `budget`
 * (build-time figures: the bundle does not carry them). The gate (`npm run check:bundle`) fails when a bundle for the
 * board, pretokenised as flashed, is larger than `storageBytes`; when the runtime's bundle (dist/bring-up-<file>.js:
 * the NIC brought up, nothing served) leaves less than `appStorageBytes` of it; or when the runtime, run on the
 * virtual board, uses more than `runtimeVariables` after load or after bring-up.
 */
export interface BoardBudget {
  /** flash Storage for .bootcde: the `saved_code` area of Espruino 2v29's board file (pages × page size) */
  storageBytes: number;
  /** the board's variables (process.memory().total on 2v29) */
  variables: number;
  /** the most the runtime may use, at most half of `variables`: the application has the rest */
  runtimeVariables: number;
  /** Storage kept for the application's own code beside the runtime */
  appStorageBytes: number;
  /** diagnostics as codes the README explains (its table of W5500 codes) instead of words, to save Storage */
  shortTexts?: boolean;
  /**
   * the default firmware's application (dist/<file>.js) when not firmware/app/main.ts: a board whose standard
   * Espruino firmware has no NetworkJS, which the status page needs, runs the echo service alone (firmware/app/echo.ts)
   */
  firmwareApp?: string;
  /** what the board cannot have, in words (README and `npm run size`) */
  lacks?: string;
  /**
   * Why this board cannot hold the product yet, while that is so: the gate prints its overruns as known instead of
   * failing on them, and fails once every bundle fits (then this goes)
   */
  unmet?: string;
}
