/// <reference types="espruino" />
import type { BoardBudget, BoardConfig } from './board';

// Original Espruino (rev 1.3/1.4) with a W5500 module on SPI3, wired as Espruino's own WIZnet default:
// B3 SCK, B4 MISO, B5 MOSI, B2 CS. INT on C6, RST on C7.
export const board: BoardConfig = {
  name: 'espruino-original',
  espruinoBoard: 'ESPRUINOBOARD',
  nic: 'w5500',
  spi: SPI3, sck: B3, miso: B4, mosi: B5, baud: 4000000,
  cs: B2, int: C6, rst: C7,
};

// Original Espruino: 10 × 2 KB pages of Storage (ESPRUINOBOARD.py saved_code), 2,756 variables
// Its standard firmware has no NetworkJS (nor does the _wiznet build: USE_NETWORK_JS=0), so its default firmware is
// the echo service alone; diagnostics are codes (README, W5500 codes).
export const budget: BoardBudget = { storageBytes: 10 * 2048, variables: 2756, runtimeVariables: 1378, appStorageBytes: 2048,
  shortTexts: true, firmwareApp: 'firmware/app/echo.ts',
  lacks: 'the status page (its Espruino firmware has no NetworkJS), datagrams (UDP, DHCP, DNS), SOCK_SEQPACKET, WSAEventSelect',
  unmet: 'even in the lean profile the runtime is about 1.6 times the Storage and over half the variables (issue 15)' };
