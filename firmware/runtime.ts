/**
 * The whole network stack from what a board gives: W5500 driver → bring-up → offload transport →
 * Winsock socket layer. Applications (firmware/app/main.ts, examples/) and the simulation harness
 * build it through this one function, so all of them run the same composition.
 */
import type { BoardHal } from './app/app';
import { W5500 } from '../hal/w5500/driver';
import type { W5500Options } from '../hal/w5500/driver';
import { W5500Err } from '../hal/w5500/errors';
import { OffloadTransport } from './transport/offload/offload';
import { SocketLayer } from './socket/layer';
import { parseIPv4 } from './socket/address';
import { ipToBytes } from './transport/offload/ip';

export interface NetOptions {
  /** 6 bytes */
  mac: Uint8Array;
  /** dotted IPv4: our address, the subnet mask and the gateway */
  ip: string;
  subnet: string;
  gateway: string;
  /** KB per hardware socket 0–7 (0, 1, 2, 4, 8 or 16; ≤ 16 per direction); default 2 each */
  txBufKB?: number[];
  rxBufKB?: number[];
  /** bound of a background graceful close, ms (the socket layer's closeTimeout); default 4000 */
  closeTimeoutMs?: number;
  /** most socket handles at once; default 32 */
  maxSockets?: number;
  /** RTR (100 µs units) and RCR: the chip's retransmission timing */
  rtr?: number;
  rcr?: number;
  /** pause between pumps inside a blocking call, ms; default 1 */
  pollInterval?: number;
  /** the driver's SEND_OK stall report, ms */
  sendStallMs?: number;
  /** bytes per connection queued in RAM while a SEND is in flight (default 512, 0 = none) */
  stageBytes?: number;
  /**
   * check the chip (presence, reset, link) every so many ms while idle, one 34-byte read (default
   * 1000; 0 = only on events), so idle connections learn of a chip reset as WSAENETDOWN
   */
  healthPollMs?: number;
}

export interface NetStack {
  /** 0 when up; else the W5500Err of the failed bring-up (api and transport are then null) */
  error: number;
  /** the Winsock API */
  api: SocketLayer | null;
  driver: W5500;
  transport: OffloadTransport | null;
  /** stops the transport's and the driver's timers and the INT watch; the chip is left as it is */
  stop: () => void;
}

/** Brings the W5500 up and builds the socket layer over it. Blocking (bring-up pauses on the HAL clock). */
export function startNetwork(hal: BoardHal, opts: NetOptions): NetStack {
  const ip = parseIPv4(opts.ip);
  const mask = parseIPv4(opts.subnet);
  const gw = parseIPv4(opts.gateway);
  const dopts: W5500Options = {
    spi: hal.spi,
    clock: hal.clock,
    int: hal.int,
    rst: hal.rst,
    mac: opts.mac,
    ip: ipToBytes(ip < 0 ? 0 : ip, new Uint8Array(4), 0),
    subnet: ipToBytes(mask < 0 ? 0 : mask, new Uint8Array(4), 0),
    gateway: ipToBytes(gw < 0 ? 0 : gw, new Uint8Array(4), 0),
    txBufKB: opts.txBufKB,
    rxBufKB: opts.rxBufKB,
    rtr: opts.rtr,
    rcr: opts.rcr,
    hardResetStaleSockets: hal.hardResetStaleSockets,
  };
  if (opts.sendStallMs !== undefined) dopts.sendStallMs = opts.sendStallMs;
  dopts.healthPollMs = opts.healthPollMs !== undefined ? opts.healthPollMs : 1000;
  const driver = new W5500(dopts);
  const stack: NetStack = { error: 0, api: null, driver: driver, transport: null, stop: function () { driver.stop(); } };
  if (ip < 0 || mask < 0 || gw < 0) {
    stack.error = W5500Err.ARG;
    return stack;
  }
  const err = driver.begin();
  if (err !== W5500Err.OK) {
    stack.error = err;
    return stack;
  }
  const closeMs = opts.closeTimeoutMs !== undefined ? opts.closeTimeoutMs : 4000;
  const transport = new OffloadTransport({ driver: driver, clock: hal.clock, ip: ip, stageBytes: opts.stageBytes });
  stack.transport = transport;
  stack.api = new SocketLayer(transport, hal.clock, {
    maxSockets: opts.maxSockets,
    closeTimeout: closeMs,
    pollInterval: opts.pollInterval,
    log: hal.log,
  });
  stack.stop = function () {
    transport.stop();
    driver.stop();
  };
  return stack;
}
