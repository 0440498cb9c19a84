/**
 * The W5500 with TCP/IP in silicon: driver → bring-up → offload transport. The only place above
 * hal/ that builds a W5500 driver.
 */
import type { BoardHal } from '../app/app';
import type { W5500Nic } from '../nic';
import type { NetOptions } from '../runtime';
import { W5500, W5500Sockets } from '../../hal/w5500/driver';
import type { W5500Options } from '../../hal/w5500/driver';
import { W5500Err, describeErr } from '../../hal/w5500/errors';
import { OffloadTransport } from '../transport/offload/offload';
import { ipToBytes } from '../transport/offload/ip';
import type { NicStart } from './nic-start';
import { WITH_DATAGRAM, WITH_TEXTS } from '../features';

/** Brings the chip up (blocking: bring-up pauses on the HAL clock) and builds the offload transport over it. */
export function startW5500(hal: BoardHal, nic: W5500Nic, opts: NetOptions, ip: number, mask: number, gw: number): NicStart {
  const dopts: W5500Options = {
    spi: hal.spi,
    clock: hal.clock,
    int: hal.int,
    rst: hal.rst,
    mac: opts.mac,
    ip: ipToBytes(ip, new Uint8Array(4), 0),
    subnet: ipToBytes(mask, new Uint8Array(4), 0),
    gateway: ipToBytes(gw, new Uint8Array(4), 0),
    txBufKB: opts.txBufKB,
    rxBufKB: opts.rxBufKB,
    rtr: opts.rtr,
    rcr: opts.rcr,
    hardResetStaleSockets: nic.hardResetStaleSockets,
  };
  if (opts.sendStallMs !== undefined) dopts.sendStallMs = opts.sendStallMs;
  dopts.healthPollMs = opts.healthPollMs !== undefined ? opts.healthPollMs : 1000;
  // without datagrams, the driver without its record readers (hal/w5500/records.ts) is enough
  const driver = WITH_DATAGRAM ? new W5500(dopts) : new W5500Sockets(dopts);
  const res: NicStart = { error: 0, reason: '', transport: null, stop: function () { driver.stop(); } };
  const err = driver.begin();
  if (err !== W5500Err.OK) {
    res.error = err;
    // a board with short texts gives the code, which the README's table of W5500 codes explains
    res.reason = 'W5500 bring-up failed: ' + (WITH_TEXTS ? describeErr(err) : 'error ' + err);
    return res;
  }
  const transport = new OffloadTransport({ driver: driver, clock: hal.clock, ip: ip, int: hal.int });
  res.transport = transport;
  res.stop = function () {
    transport.stop();
    driver.stop();
  };
  return res;
}
