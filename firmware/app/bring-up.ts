import type { App } from './app';
import { startNetwork } from '../runtime';
import { BENCH_NETWORK } from './bench-network';

/**
 * The runtime alone: brings the board's NIC up (driver, transport, socket layer) and serves nothing. Its bundle
 * (dist/bring-up-<board>.js) is what the gate holds to the board's runtime budget (boards/board.ts, BoardBudget):
 * what an application pays for the network before it does anything of its own.
 */
export const main: App = function (hal) {
  const net = startNetwork(hal, BENCH_NETWORK);
  hal.log(net.api ? net.nicName + ' up on ' + hal.board + ': ' + BENCH_NETWORK.ip : net.reason);
  return net.stop;
};
