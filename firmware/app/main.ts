import type { App } from './app';
import { SpiOp } from '../../hal/spi';

/**
 * The default application: checks that a W5500 answers on the bus.
 * (Grows into the network runtime as the driver and the socket layer land.)
 */
export const main: App = function (hal) {
  const frame = new Uint8Array([0x00, 0x39, 0x00, 0x00]); // read VERSIONR, common block, variable-length mode
  if (!hal.spi.transaction([{ op: SpiOp.Transfer, buf: frame }])) {
    hal.log('SPI bus failure');
  } else if (frame[3] === 0x04) {
    hal.log('W5500 found on ' + hal.board + ' (VERSIONR 0x04)');
  } else {
    hal.log('no W5500 on ' + hal.board + ': VERSIONR reads 0x' + (frame[3] < 16 ? '0' : '') + frame[3].toString(16));
  }
  return function () { /* nothing running */ };
};
