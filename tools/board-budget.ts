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

/** a model of the NIC a board file names, on the board's clock */
export function nicModel(nic: string, clock: VirtualClock): { chip: SpiChip; intn: ChipPin; hardReset: () => void } {
  const now = (): number => clock.now();
  if (nic === 'enc28j60') {
    const pipe = new FramePipe({ now });
    const m = new Enc28j60Model({ now, wire: pipe.a });
    const intn = new ChipPin(m.intn);
    m.onIntn((high) => intn.set(high));
    return { chip: m, intn, hardReset: () => undefined };
  }
  const m = new W5500Model({ net: new VirtualNet({ now, latencyMs: 0 }), now });
  const intn = new ChipPin(m.intn);
  m.onIntn((high) => intn.set(high));
  return { chip: m, intn, hardReset: () => m.hardReset() };
}

/** runs `code` (a bundle for board file `boardName`) after load and after bring-up */
export function runFigures(code: string, boardName: string): RunFigures {
  const empty = new VirtualBoard({ clock: new VirtualClock(), boardName });
  empty.load(code, boardName);
  const afterLoad = empty.variables();

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
  board.runFor(BRING_UP_MS);
  const afterBringUp = board.variables();
  return {
    afterLoad,
    afterBringUp,
    bufferBytes: board.typedArrayBytes(),
    console: board.log.console.slice(),
    errors: board.errors.map((e) => `${e.where}: ${e.name}: ${e.message}`),
  };
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
