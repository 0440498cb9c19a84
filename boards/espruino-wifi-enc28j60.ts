/// <reference types="espruino" />
import type { BoardBudget, BoardConfig } from './board';

// Espruino WiFi with an ENC28J60 module where boards/espruino-wifi.ts puts the W5500: SPI1 (A5 SCK, A6 MISO,
// A7 MOSI), CS B1, INT B8, RESET B9. 8 MHz: the ENC28J60's MAC/MII registers need SCK ≥ 8 MHz (rev. B errata 1).
export const board: BoardConfig = {
  name: 'espruino-wifi-enc28j60',
  espruinoBoard: 'ESPRUINOWIFI',
  nic: 'enc28j60',
  spi: SPI1, sck: A5, miso: A6, mosi: A7, baud: 8000000,
  cs: B1, int: B8, rst: B9,
  // the WiFi's 8,190 variables: two frames of 1 KB-window segments wait for the chip, 1 KB per connection
  // queue each way (MSS 512), and frames up to 618 bytes come in: a 576-byte DHCP message (the most the DHCP client takes)
  txQueueBytes: 1200, tcpBufBytes: 1024, maxFrameBytes: 618,
};

// Espruino WiFi: one 64 KB page of Storage (ESPRUINOWIFI.py saved_code), 8,190 variables
export const budget: BoardBudget = { storageBytes: 65536, variables: 8190, runtimeVariables: 4095, appStorageBytes: 12288 };
