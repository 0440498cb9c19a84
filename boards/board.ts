/// <reference types="espruino" />
/**
 * A board's wiring: which SPI port and pins carry the network controller. One file per board in
 * this folder exports `board`; the build turns each into `dist/<file name>.js`.
 */
export interface BoardConfig {
  /** file name in boards/, also the bundle's name */
  name: string;
  /** the Espruino board id the firmware is built for (process.env.BOARD) */
  espruinoBoard: string;
  nic: 'w5500';
  spi: SPI;
  sck: Pin;
  miso: Pin;
  mosi: Pin;
  /** SPI clock in Hz */
  baud: number;
  cs: Pin;
  /** the chip's INTn output, if wired; without it the driver polls */
  int?: Pin;
  /** the chip's RSTn input, if wired; without it the driver resets with MR.RST */
  rst?: Pin;
  /** close stale connections left on the chip by an MCU reset hard (CLOSE) instead of gracefully */
  hardResetStaleSockets?: boolean;
}
