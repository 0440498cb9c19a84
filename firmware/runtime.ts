/**
 * The whole network stack from what a board gives: the board's NIC (firmware/nic.ts) → its driver
 * and transport (firmware/stacks/) → the Winsock socket layer. Applications (firmware/app/main.ts,
 * examples/) and the simulation harness build it through this one function, so all of them run the
 * same composition, and none of them names a chip.
 */
import type { BoardHal } from './app/app';
import { NetErr } from './nic';
import type { Enc28j60Nic, W5500MacrawNic, W5500Nic } from './nic';
import type { Transport } from './transport/transport';
import { SocketLayer } from './socket/layer';
import { parseIPv4 } from './socket/address';
import { startW5500 } from './stacks/w5500-offload';
import { startEnc28j60 } from './stacks/enc28j60-software';
import { startW5500Macraw } from './stacks/w5500-macraw-software';
import type { NicStart } from './stacks/nic-start';
import { WITH_ENC28J60, WITH_MACRAW, WITH_OFFLOAD } from './stacks/enabled';
import type { TcpConfig } from './net/tcp/config';

export interface NetOptions {
  /** 6 bytes */
  mac: Uint8Array;
  /** dotted IPv4: our address, the subnet mask and the gateway */
  ip: string;
  subnet: string;
  gateway: string;
  /** bound of a background graceful close, ms (the socket layer's closeTimeout); default 4000 */
  closeTimeoutMs?: number;
  /** most socket handles at once; default 32 */
  maxSockets?: number;
  /** W5500: KB per hardware socket 0–7 (0, 1, 2, 4, 8 or 16; ≤ 16 per direction); default 2 each */
  txBufKB?: number[];
  rxBufKB?: number[];
  /** W5500: RTR (100 µs units) and RCR, the chip's retransmission timing */
  rtr?: number;
  rcr?: number;
  /** longest pause between pumps inside a blocking call without the NIC's interrupt, ms; default 1 */
  pollInterval?: number;
  /** W5500: the driver's SEND_OK stall report, ms */
  sendStallMs?: number;
  /**
   * check the chip (presence, reset, link) every so many ms while idle (W5500: one 34-byte read;
   * ENC28J60: one register read) (default 1000; 0 = only on events), so idle connections learn of a
   * chip reset as WSAENETDOWN
   */
  healthPollMs?: number;
  /** software stack (ENC28J60, W5500 MACRAW): transport endpoint ids at most (default 16) */
  maxEndpoints?: number;
  /** software stack: TCP settings (default firmware/net/tcp/config.ts defaultTcpConfig(): 8 connections, 2 KB buffers each way) */
  tcp?: TcpConfig;
  /** told of every change of the NIC's link, from the event loop */
  onLink?: (up: boolean) => void;
}

export interface NetStack {
  /** 0 when up; else NetErr, or the driver's code of the failed bring-up (api and transport are then null) */
  error: number;
  /** what failed, in words ('' when up) */
  reason: string;
  /** the NIC, as the log names it */
  nicName: string;
  /** the Winsock API */
  api: SocketLayer | null;
  transport: Transport | null;
  /** stops the event loop's one timer and the interrupt watch; the NIC is left as it is */
  stop: () => void;
}

function failed(name: string, error: number, reason: string): NetStack {
  return { error: error, reason: reason, nicName: name, api: null, transport: null, stop: function () { /* nothing started */ } };
}

/** Brings the board's NIC up and builds the socket layer over its transport. Blocking (bring-up pauses on the HAL clock). */
export function startNetwork(hal: BoardHal, opts: NetOptions): NetStack {
  const nic = hal.nic;
  const ip = parseIPv4(opts.ip);
  const mask = parseIPv4(opts.subnet);
  const gw = parseIPv4(opts.gateway);
  const offload = nic.name === 'w5500';
  const name = offload ? 'W5500' : nic.name === 'w5500-macraw' ? 'W5500 MACRAW' : 'ENC28J60';
  if (ip < 0 || mask < 0 || gw < 0) return failed(name, NetErr.BAD_ADDRESS, 'ip, subnet and gateway must be dotted IPv4 addresses');
  // written so that the bundle build drops the stack its board does not carry (stacks/enabled.ts)
  let started: NicStart | null = null;
  if (WITH_OFFLOAD && offload) started = startW5500(hal, nic as W5500Nic, opts, ip, mask, gw);
  if (WITH_ENC28J60 && nic.name === 'enc28j60') started = startEnc28j60(hal, nic as Enc28j60Nic, opts, ip, mask, gw);
  if (WITH_MACRAW && nic.name === 'w5500-macraw') started = startW5500Macraw(hal, nic as W5500MacrawNic, opts, ip, mask, gw);
  if (started === null) return failed(nic.name, NetErr.NIC_UNSUPPORTED, "NIC '" + nic.name + "' is not in this build");
  const stack = failed(name, started.error, started.reason);
  stack.stop = started.stop;
  const transport = started.transport;
  if (!transport) return stack;
  stack.transport = transport;
  const api = new SocketLayer(transport, hal.clock, {
    maxSockets: opts.maxSockets,
    closeTimeout: opts.closeTimeoutMs !== undefined ? opts.closeTimeoutMs : 4000,
    pollInterval: opts.pollInterval,
    log: hal.log,
    onLink: opts.onLink,
  });
  stack.api = api;
  const loop = api.eventLoop();
  const stopNic = started.stop;
  stack.stop = function () {
    loop.stop();
    stopNic();
  };
  return stack;
}
