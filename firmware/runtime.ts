/**
 * The whole network stack from what a board gives: the board's NIC (firmware/nic.ts) → its driver
 * and transport (firmware/stacks/) → the Winsock socket layer. Applications (firmware/app/main.ts,
 * examples/) and the simulation harness build it through this one function, so all of them run the
 * same composition, and none of them names a chip.
 */
import type { BoardHal } from './app/app';
import { NetErr } from './nic';
import type { Transport } from './transport/transport';
import { SocketLayer } from './socket/layer';
import { parseIPv4 } from './socket/address';
import { startW5500 } from './stacks/w5500-offload';
import type { NicStart } from './stacks/w5500-offload';

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
   * W5500: check the chip (presence, reset, link) every so many ms while idle, one 34-byte read
   * (default 1000; 0 = only on events), so idle connections learn of a chip reset as WSAENETDOWN
   */
  healthPollMs?: number;
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
  /** stops the transport's and the driver's timers and the interrupt watch; the NIC is left as it is */
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
  if (nic.name !== 'w5500') {
    return failed(nic.name, NetErr.NIC_UNSUPPORTED, "NIC '" + nic.name + "' needs the software TCP/IP transport, which this firmware does not have yet");
  }
  if (ip < 0 || mask < 0 || gw < 0) return failed('W5500', NetErr.BAD_ADDRESS, 'ip, subnet and gateway must be dotted IPv4 addresses');
  const started: NicStart = startW5500(hal, nic, opts, ip, mask, gw);
  const stack = failed('W5500', started.error, started.reason);
  stack.stop = started.stop;
  const transport = started.transport;
  if (!transport) return stack;
  stack.transport = transport;
  stack.api = new SocketLayer(transport, hal.clock, {
    maxSockets: opts.maxSockets,
    closeTimeout: opts.closeTimeoutMs !== undefined ? opts.closeTimeoutMs : 4000,
    pollInterval: opts.pollInterval,
    log: hal.log,
  });
  return stack;
}
