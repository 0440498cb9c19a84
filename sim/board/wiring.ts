import fs from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import type { BoardBudget } from '../../boards/board';

export type { BoardBudget };

/** Which SPI port and pins a board file wires the network controller to, as names. */
export interface BoardWiring {
  /** file name in boards/ */
  name: string;
  /** Espruino board id (process.env.BOARD), e.g. PICO_R1_3 */
  espruinoBoard: string;
  nic: string;
  /** SPI1, SPI2 or SPI3 */
  spi: string;
  sck: string;
  miso: string;
  mosi: string;
  baud: number;
  cs: string;
  int?: string;
  rst?: string;
}

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const boardsDir = path.join(repoRoot, 'boards');

/** Board names (files in boards/ except the shared interface). */
export function knownBoards(): string[] {
  return fs.readdirSync(boardsDir).filter((f) => f.endsWith('.ts') && f !== 'board.ts').map((f) => f.slice(0, -3)).sort();
}

/**
 * Reads a board file without Espruino: it is compiled and evaluated with stand-ins for the
 * Espruino globals it names (SPIn and pins), each of which is just its own name.
 */
export function readWiring(name: string): BoardWiring {
  const b = boardExports(name).board as Record<string, any> | undefined;
  if (!b) throw new Error(`boards/${name}.ts does not export "board"`);
  const pinName = (p: any): string | undefined => (p && typeof p.name === 'string' ? p.name : undefined);
  return {
    name: b.name,
    espruinoBoard: b.espruinoBoard,
    nic: b.nic,
    spi: pinName(b.spi)!,
    sck: pinName(b.sck)!,
    miso: pinName(b.miso)!,
    mosi: pinName(b.mosi)!,
    baud: b.baud,
    cs: pinName(b.cs)!,
    int: pinName(b.int),
    rst: pinName(b.rst),
  };
}

/** The budget a board file exports (boards/board.ts, BoardBudget). */
export function readBudget(name: string): BoardBudget {
  const b = boardExports(name).budget as BoardBudget | undefined;
  if (!b) throw new Error(`boards/${name}.ts does not export "budget"`);
  return { storageBytes: b.storageBytes, variables: b.variables, runtimeVariables: b.runtimeVariables, appStorageBytes: b.appStorageBytes, firmwareApp: b.firmwareApp, lacks: b.lacks, unmet: b.unmet };
}

function boardExports(name: string): Record<string, unknown> {
  if (!knownBoards().includes(name)) {
    throw new Error(`unknown board "${name}"; known boards: ${knownBoards().join(', ')}`);
  }
  // loaded on first use: the compiler is large, and listing boards does not need it
  const ts = createRequire(import.meta.url)('typescript') as typeof import('typescript');
  const source = fs.readFileSync(path.join(boardsDir, name + '.ts'), 'utf8');
  const js = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2019 } }).outputText;
  const stand: Record<string, unknown> = { exports: {} };
  for (const port of ['A', 'B', 'C', 'D']) for (let i = 0; i < 40; i++) stand[port + i] = { name: port + i };
  for (let i = 1; i <= 3; i++) stand['SPI' + i] = { name: 'SPI' + i };
  stand.require = (m: string) => { throw new Error(`boards/${name}.ts imports "${m}" at run time`); };
  vm.runInNewContext(js, stand, { filename: `boards/${name}.ts` });
  return stand.exports as Record<string, unknown>;
}
