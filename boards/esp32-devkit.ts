/// <reference types="espruino" />
import type { BoardBudget, BoardConfig } from './board';

// ESP32 DevKitC with a W5500 module on VSPI (Espruino's SPI2): D18 SCK, D19 MISO, D23 MOSI, D5 CS. INT on D4, RST on D22.
export const board: BoardConfig = {
  name: 'esp32-devkit',
  espruinoBoard: 'ESP32',
  nic: 'w5500',
  spi: SPI2, sck: D18, miso: D19, mosi: D23, baud: 10000000,
  cs: D5, int: D4, rst: D22,
};

// ESP32: 224 × 4 KB pages of Storage (ESP32.py saved_code), 16,383 variables
export const budget: BoardBudget = { storageBytes: 224 * 4096, variables: 16383, runtimeVariables: 8191, appStorageBytes: 65536 };
