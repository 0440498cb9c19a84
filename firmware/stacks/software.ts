/**
 * The project's own TCP/IP stack over any frame driver: bring-up → software transport. Every MAC-only
 * NIC goes through here (enc28j60-software.ts; the W5500 in MACRAW mode the same way), so a new frame
 * driver needs one line: `startSoftware(hal, driver, opts, ip, mask, gw, 'NAME')`.
 */
import type { BoardHal } from '../app/app';
import type { NetOptions } from '../runtime';
import { FrameErr, frameErrText } from '../../hal/frame-driver';
import type { FrameDriver } from '../../hal/frame-driver';
import { SoftwareTransport } from '../transport/software/software';
import type { NicStart } from './nic-start';

/** Brings `driver` up (blocking: bring-up pauses on the HAL clock) and builds the software transport over it. */
export function startSoftware(hal: BoardHal, driver: FrameDriver, opts: NetOptions, ip: number, mask: number, gw: number, name: string): NicStart {
  const res: NicStart = { error: 0, reason: '', transport: null, stop: function () { driver.stop(); } };
  const err = driver.begin();
  if (err !== FrameErr.OK) {
    res.error = err;
    res.reason = name + ' bring-up failed: ' + frameErrText(err);
    return res;
  }
  const transport = new SoftwareTransport({
    driver: driver,
    clock: hal.clock,
    ip: ip,
    mask: mask,
    gateway: gw,
    int: hal.int,
    maxEndpoints: opts.maxEndpoints,
    tcp: opts.tcp,
  });
  res.transport = transport;
  res.stop = function () {
    transport.stop();
    driver.stop();
  };
  return res;
}
