/// <reference types="espruino" />
import type { BoardBudget, BoardConfig } from './board';

// Original Espruino with an ENC28J60 module where boards/espruino-original.ts puts the W5500: SPI3 (B3 SCK, B4 MISO,
// B5 MOSI), CS B2, INT C6, RESET C7. 9 MHz (36 MHz APB1 / 4): the ENC28J60's MAC/MII registers need SCK ≥ 8 MHz
// (rev. B errata 1), so not the 4 MHz the W5500 wiring runs.
export const board: BoardConfig = {
  name: 'espruino-original-enc28j60',
  espruinoBoard: 'ESPRUINOBOARD',
  nic: 'enc28j60',
  spi: SPI3, sck: B3, miso: B4, mosi: B5, baud: 9000000,
  cs: B2, int: C6, rst: C7,
};

// Original Espruino: 10 × 2 KB pages of Storage (ESPRUINOBOARD.py saved_code), 2,756 variables. Kept so that the build
// and `npm run size` measure what the ENC28J60 would cost there: our TCP/IP stack does not fit the Original (its
// Storage holds less than half the runtime), so an Original takes the W5500 (boards/espruino-original.ts).
export const budget: BoardBudget = { storageBytes: 10 * 2048, variables: 2756, runtimeVariables: 1378, appStorageBytes: 2048,
  firmwareApp: 'firmware/app/echo.ts',
  lacks: 'the ENC28J60 itself: our TCP/IP stack with its driver is more than twice its Storage (take the W5500)',
  unmet: 'the runtime with its own TCP/IP stack is more than twice the Storage: the Original is offered with the W5500 only' };
