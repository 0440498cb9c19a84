/// <reference types="espruino" />
import type { BoardConfig } from './board';

// Original Espruino (rev 1.3/1.4) with a W5500 module on SPI3, wired as Espruino's own WIZnet default:
// B3 SCK, B4 MISO, B5 MOSI, B2 CS. INT on C6, RST on C7.
export const board: BoardConfig = {
  name: 'espruino-original',
  espruinoBoard: 'ESPRUINOBOARD',
  nic: 'w5500',
  spi: SPI3, sck: B3, miso: B4, mosi: B5, baud: 4000000,
  cs: B2, int: C6, rst: C7,
};
