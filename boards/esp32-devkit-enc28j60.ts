/// <reference types="espruino" />
import type { BoardBudget, BoardConfig } from './board';

// ESP32 DevKitC with an ENC28J60 module where boards/esp32-devkit.ts puts the W5500: VSPI (Espruino's SPI2: D18 SCK,
// D19 MISO, D23 MOSI), CS D5, INT D4, RESET D22. 10 MHz (SCK ≥ 8 MHz for the MAC/MII registers, rev. B errata 1).
export const board: BoardConfig = {
  name: 'esp32-devkit-enc28j60',
  espruinoBoard: 'ESP32',
  nic: 'enc28j60',
  spi: SPI2, sck: D18, miso: D19, mosi: D23, baud: 10000000,
  cs: D5, int: D4, rst: D22,
};

// ESP32: 224 × 4 KB pages of Storage (ESP32.py saved_code), 16,383 variables
export const budget: BoardBudget = { storageBytes: 224 * 4096, variables: 16383, runtimeVariables: 8191, appStorageBytes: 65536 };
