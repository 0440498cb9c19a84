/**
 * The W5500 as a MAC (socket 0 in MACRAW mode) with the project's own TCP/IP stack: MACRAW frame driver →
 * software transport. For a W5500 board whose application wants what the chip's own TCP cannot give: a real
 * RST, a real TIME_WAIT, more than 8 connections. The only place above hal/ that builds a W5500Macraw.
 */
import type { BoardHal } from '../app/app';
import type { W5500MacrawNic } from '../nic';
import type { NetOptions } from '../runtime';
import { W5500Macraw } from '../../hal/w5500/macraw';
import type { W5500MacrawOptions } from '../../hal/w5500/macraw';
import { startSoftware } from './software';
import type { NicStart } from './nic-start';

export function startW5500Macraw(hal: BoardHal, nic: W5500MacrawNic, opts: NetOptions, ip: number, mask: number, gw: number): NicStart {
  const dopts: W5500MacrawOptions = {
    spi: hal.spi,
    clock: hal.clock,
    int: hal.int,
    rst: hal.rst,
    mac: opts.mac,
    multicast: !!nic.multicast,
    // the chip interrupts for neither a link change nor its own reset: one health read this often finds both
    healthPollMs: opts.healthPollMs !== undefined ? opts.healthPollMs : 1000,
  };
  return startSoftware(hal, new W5500Macraw(dopts), opts, ip, mask, gw, 'W5500 MACRAW');
}
