/**
 * The variable side of each board's budget (boards/board.ts, BoardBudget): a bundle run on the virtual board with
 * its board file's NIC model on the SPI port and pins the board file names, the variables in use counted as 2v29
 * counts them (sim/board/variables.ts).
 *
 * - after load: the bundle run as it runs from Storage with nothing on the bus (bring-up fails at once, so what is
 *   left is what loading the code itself made: its functions and module state);
 * - after bring-up: with the NIC model answering, once the NIC is up and BRING_UP_MS of board time have passed.
 */
import { VirtualClock } from '../sim/net/virtual-clock';
import { VirtualBoard } from '../sim/board/virtual-board';
import { ChipPin } from '../sim/board/chip';
import type { SpiChip } from '../sim/board/chip';
import { readBudget, readWiring } from '../sim/board/wiring';
import type { BoardBudget } from '../sim/board/wiring';
import { W5500Model } from '../sim/w5500/model';
import { VirtualNet } from '../sim/w5500/virtual-net';
import { Enc28j60Model } from '../sim/enc28j60/model';
import { FramePipe } from '../sim/net/frame-pipe';
import { runUntil } from '../sim/net/virtual-time';
import type { TimedDevice } from '../sim/net/virtual-time';
import { StackPeer } from '../sim/net/stack-peer';
import { BENCH_NETWORK } from '../firmware/app/bench-network';
import { parseIPv4 } from '../firmware/socket/address';

/** board time the NIC is given to come up */
export const BRING_UP_MS = 3000;

export interface RunFigures {
  /** variables in use after load, nothing on the bus */
  afterLoad: number;
  /** variables in use after bring-up, the NIC model answering */
  afterBringUp: number;
  /** bytes of typed arrays (ArrayBuffers) the bundle holds after bring-up */
  bufferBytes: number;
  /** the board's console and errors of the bring-up run */
  console: string[];
  errors: string[];
}

/** the PC on the board's network (BENCH_NETWORK's peer) */
const PEER_IP = '192.168.1.10';

/** a peer connection, as the measurement drives it */
export interface PeerConn { fin(): void; setSilent(on: boolean): void }

/** a model of the NIC a board file names, on the board's clock, with the devices to advance and a way to connect to the board */
export function nicModel(nic: string, clock: VirtualClock): {
  chip: SpiChip; intn: ChipPin; hardReset: () => void; devices: TimedDevice[]; connect: (port: number) => PeerConn;
} {
  const now = (): number => clock.now();
  if (nic === 'enc28j60') {
    const pipe = new FramePipe({ now });
    const m = new Enc28j60Model({ now, wire: pipe.a });
    const intn = new ChipPin(m.intn);
    m.onIntn((high) => intn.set(high));
    const mask = parseIPv4(BENCH_NETWORK.subnet);
    const peer = new StackPeer({ now, port: pipe.b, mac: new Uint8Array([2, 0, 0, 0, 0, 0x10]), ip: parseIPv4(PEER_IP), mask });
    return { chip: m, intn, hardReset: () => undefined, devices: [m, pipe, peer],
      connect: (port) => peer.connect(parseIPv4(BENCH_NETWORK.ip), port) };
  }
  const net = new VirtualNet({ now, latencyMs: 0 });
  const m = new W5500Model({ net, now });
  const intn = new ChipPin(m.intn);
  m.onIntn((high) => intn.set(high));
  let local = 40000;
  return { chip: m, intn, hardReset: () => m.hardReset(), devices: [m],
    connect: (port) => net.connect({ ip: PEER_IP, port: local++ }, { ip: BENCH_NETWORK.ip, port }) };
}

/** runs `code` (a bundle for board file `boardName`) after load and after bring-up */
export function runFigures(code: string, boardName: string): RunFigures {
  const empty = new VirtualBoard({ clock: new VirtualClock(), boardName });
  empty.load(code, boardName);
  const afterLoad = empty.variables();

  const { board } = broughtUp(code, boardName);
  const afterBringUp = board.variables();
  return {
    afterLoad,
    afterBringUp,
    bufferBytes: board.typedArrayBytes(),
    console: board.log.console.slice(),
    errors: board.errors.map((e) => `${e.where}: ${e.name}: ${e.message}`),
  };
}

/** the board running `code` with its NIC model, BRING_UP_MS after load */
function broughtUp(code: string, boardName: string): { board: VirtualBoard; clock: VirtualClock; nic: ReturnType<typeof nicModel> } {
  const clock = new VirtualClock();
  const board = new VirtualBoard({ clock, boardName });
  const w = readWiring(boardName);
  const nic = nicModel(w.nic, clock);
  board.attachSpi(w.spi, w.cs, nic.chip);
  if (w.int) board.attachPin(w.int, nic.intn);
  if (w.rst) {
    let level = true;
    board.onPinWrite(w.rst, (high) => { if (level && !high) nic.hardReset(); level = high; });
  }
  board.load(code, boardName);
  runUntil(clock, nic.devices, () => false, BRING_UP_MS);
  return { board, clock, nic };
}

export interface Cost { variables: number; bytes: number }

export interface ConnectionCosts {
  /** the device up and serving, no connection */
  idle: Cost;
  /** each connection the device has accepted, open and idle */
  open: Cost;
  /** each connection the device has closed after the peer's FIN, its own FIN unacknowledged (the peer silent) */
  closing: Cost;
}

/** the echo service's port in the default firmware (firmware/app/main.ts) */
const ECHO_PORT = 7;

/**
 * What connections cost the default firmware (`code`, which serves the echo service) on the virtual board: `n` peers
 * connect and stay idle; then each sends FIN and goes silent, so the device's close waits in the background.
 */
export function connectionCosts(code: string, boardName: string, n = 2): ConnectionCosts {
  const { board, clock, nic } = broughtUp(code, boardName);
  const cost = (): Cost => ({ variables: board.variables(), bytes: board.typedArrayBytes() });
  const idle = cost();
  const peers: PeerConn[] = [];
  for (let i = 0; i < n; i++) peers.push(nic.connect(ECHO_PORT));
  // a peer's SYN may wait for ARP and its retransmission (1 s, RFC 6298)
  runUntil(clock, nic.devices, () => false, 3000);
  const open = cost();
  if (board.errors.length > 0) throw new Error(board.errors[0].message);
  const accepted = board.log.console.filter((l) => /: accepted /.test(l)).length;
  if (accepted !== n) throw new Error(`${boardName}: the device accepted ${accepted} of ${n} connections: ${board.log.console.join(' | ')}`);
  for (const p of peers) { p.fin(); p.setSilent(true); }
  runUntil(clock, nic.devices, () => false, 1000);
  const closing = cost();
  const closed = board.log.console.filter((l) => /: closed, /.test(l)).length;
  if (closed !== 0) throw new Error(`${boardName}: ${closed} closes completed while the peers were silent: ${board.log.console.join(' | ')}`);
  if (board.errors.length > 0) throw new Error(`${boardName}: ${board.errors.map((e) => e.message).join('; ')}`);
  const per = (c: Cost): Cost => ({ variables: Math.round((c.variables - idle.variables) / n), bytes: Math.round((c.bytes - idle.bytes) / n) });
  return { idle, open: per(open), closing: per(closing) };
}

export interface BudgetCheck {
  board: string;
  budget: BoardBudget;
  figures: RunFigures;
  /** what breaks the budget, one line each; empty when it is met */
  problems: string[];
}

/** the runtime (dist/bring-up-<board>.js) held to the board's variable budget */
export function checkRuntimeVariables(code: string, boardName: string): BudgetCheck {
  const budget = readBudget(boardName);
  const figures = runFigures(code, boardName);
  const problems: string[] = [];
  if (budget.runtimeVariables * 2 > budget.variables) {
    problems.push(`runtime budget ${budget.runtimeVariables} is more than half of the board's ${budget.variables} variables`);
  }
  if (!figures.console.some((l) => / up on /.test(l))) problems.push(`the NIC did not come up: ${figures.console.join(' | ')}`);
  for (const e of figures.errors) problems.push(e);
  if (figures.afterLoad > budget.runtimeVariables) problems.push(`${figures.afterLoad} variables after load, budget ${budget.runtimeVariables}`);
  if (figures.afterBringUp > budget.runtimeVariables) problems.push(`${figures.afterBringUp} variables after bring-up, budget ${budget.runtimeVariables}`);
  return { board: boardName, budget, figures, problems };
}
