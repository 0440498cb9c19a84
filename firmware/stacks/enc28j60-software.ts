/**
 * The ENC28J60 (MAC only) with the project's own TCP/IP stack: driver → software transport. The only
 * place above hal/ that builds an ENC28J60 driver.
 */
import type { BoardHal } from '../app/app';
import type { Enc28j60Nic } from '../nic';
import type { NetOptions } from '../runtime';
import { Enc28j60 } from '../../hal/enc28j60/driver';
import type { Enc28j60Options } from '../../hal/enc28j60/driver';
import { startSoftware } from './software';
import type { NicStart } from './nic-start';

export function startEnc28j60(hal: BoardHal, nic: Enc28j60Nic, opts: NetOptions, ip: number, mask: number, gw: number): NicStart {
  const dopts: Enc28j60Options = {
    spi: hal.spi,
    clock: hal.clock,
    int: hal.int,
    rst: hal.rst,
    mac: opts.mac,
    fullDuplex: !!nic.fullDuplex,
    maxFrame: nic.maxFrameBytes,
    // a chip that vanished or was reset is found within this long even while the line is quiet
    healthPollMs: opts.healthPollMs !== undefined ? opts.healthPollMs : 1000,
  };
  return startSoftware(hal, new Enc28j60(dopts), opts, ip, mask, gw, 'ENC28J60', nic.txQueueBytes, nic.tcpBufBytes);
}
