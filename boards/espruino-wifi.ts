/// <reference types="espruino" />
import type { BoardBudget, BoardConfig } from './board';

// Espruino WiFi with a W5500 module on SPI1: A5 SCK, A6 MISO, A7 MOSI, B1 CS, INT on B8, RST on B9.
export const board: BoardConfig = {
  name: 'espruino-wifi',
  espruinoBoard: 'ESPRUINOWIFI',
  nic: 'w5500',
  spi: SPI1, sck: A5, miso: A6, mosi: A7, baud: 8000000,
  cs: B1, int: B8, rst: B9,
};

// Espruino WiFi: one 64 KB page of Storage (ESPRUINOWIFI.py saved_code), 8,190 variables
export const budget: BoardBudget = { storageBytes: 65536, variables: 8190, runtimeVariables: 4095, appStorageBytes: 16384 };
