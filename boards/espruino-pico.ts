/// <reference types="espruino" />
import type { BoardBudget, BoardConfig } from './board';

// Espruino Pico with a W5500 module on SPI2, wired as the WIZnet shim: B13 SCK, B14 MISO, B15 MOSI, B10 CS.
// INT on A8 and RST on B3 (pin numbers differ from every other watched pin, as STM32 requires).
export const board: BoardConfig = {
  name: 'espruino-pico',
  espruinoBoard: 'PICO_R1_3',
  nic: 'w5500',
  spi: SPI2, sck: B13, miso: B14, mosi: B15, baud: 8000000,
  cs: B10, int: A8, rst: B3,
};

// Pico: 3 × 16 KB pages of Storage (PICO_R1_3.py saved_code), 5,100 variables
export const budget: BoardBudget = { storageBytes: 3 * 16384, variables: 5100, runtimeVariables: 2550, appStorageBytes: 4096 };
