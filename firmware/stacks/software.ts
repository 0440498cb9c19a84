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
import { defaultTcpConfig } from '../net/tcp/config';
import type { NicStart } from './nic-start';

/**
 * Brings `driver` up (blocking: bring-up pauses on the HAL clock) and builds the software transport over it.
 * The board's memory, when it sets it: `txQueueBytes` of frames waiting for the chip; `tcpBufBytes` per connection
 * queue each way (unless the application gives its own `opts.tcp`), with an MSS of half of it so that two segments
 * fill the window and the peer's delayed ACK does not hold each one back.
 */
export function startSoftware(hal: BoardHal, driver: FrameDriver, opts: NetOptions, ip: number, mask: number, gw: number, name: string,
  txQueueBytes?: number, tcpBufBytes?: number): NicStart {
  const res: NicStart = { error: 0, reason: '', transport: null, stop: function () { driver.stop(); } };
  const err = driver.begin();
  if (err !== FrameErr.OK) {
    res.error = err;
    res.reason = name + ' bring-up failed: ' + frameErrText(err);
    return res;
  }
  let tcp = opts.tcp;
  if (!tcp && tcpBufBytes) {
    tcp = defaultTcpConfig();
    tcp.sndBuf = tcpBufBytes;
    tcp.rcvBuf = tcpBufBytes;
    if (tcpBufBytes >> 1 < tcp.mss) tcp.mss = tcpBufBytes >> 1;
  }
  const transport = new SoftwareTransport({
    driver: driver,
    clock: hal.clock,
    ip: ip,
    mask: mask,
    gateway: gw,
    int: hal.int,
    maxEndpoints: opts.maxEndpoints,
    tcp: tcp,
    txQueueBytes: txQueueBytes,
  });
  res.transport = transport;
  res.stop = function () {
    transport.stop();
    driver.stop();
  };
  return res;
}
