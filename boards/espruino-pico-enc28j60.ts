/// <reference types="espruino" />
import type { BoardBudget, BoardConfig } from './board';

// Espruino Pico with an ENC28J60 module where boards/espruino-pico.ts puts the W5500: SPI2 (B13 SCK, B14 MISO,
// B15 MOSI), CS B10, INT A8, RESET B3. 8 MHz: the ENC28J60's MAC/MII registers need SCK ≥ 8 MHz (rev. B errata 1).
export const board: BoardConfig = {
  name: 'espruino-pico-enc28j60',
  espruinoBoard: 'PICO_R1_3',
  nic: 'enc28j60',
  spi: SPI2, sck: B13, miso: B14, mosi: B15, baud: 8000000,
  cs: B10, int: A8, rst: B3,
  // the Pico's 5,100 variables: two frames of 1 KB-window segments wait for the chip, 1 KB per connection
  // queue each way (MSS 512), and frames up to 618 bytes come in: a 576-byte DHCP message (the most the DHCP client takes)
  txQueueBytes: 1200, tcpBufBytes: 1024, maxFrameBytes: 618,
};

// Pico: 3 × 16 KB pages of Storage (PICO_R1_3.py saved_code), 5,100 variables
export const budget: BoardBudget = { storageBytes: 3 * 16384, variables: 5100, runtimeVariables: 2550, appStorageBytes: 2048,
  unmet: 'our TCP/IP stack\'s runtime is larger than the Pico\'s Storage leaves room for, and with its buffers sized for the Pico (above) its code alone still takes more than half of the Pico\'s variables (issue 15: a leaner profile)' };
