// Uploads dist/<board>.js (or an example's bundle) through espruino-tools straight into flash (Storage file .bootcde, SAVE_ON_SEND=1),
// pretokenised (PRETOKENISE=1: keywords as one-byte tokens): the code then runs from flash at every boot, so
// function text costs no RAM variables, and the runtime fits the Pico's 48 KB Storage.
// Usage: npm run flash -- --board espruino-pico --port /dev/ttyACM0 [--nic NIC] [--app FILE] [--dry-run]
// espruino-tools would download the board description from the Espruino website; it is
// generated here from boards/ (wiring + sim/board/profiles.ts) so that flashing works offline.
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { knownBoards, readBudget, readWiring, repoRoot } from '../sim/board/wiring';
import { profileFor } from '../sim/board/profiles';
import { STORAGE_FILE_HEADER, withFlashedSize } from './check-bundle.js';
import { ensureBundle, describeBuild } from './bundle-cache';
import { UsageError, formatHelp, parseOptions, type Command } from './cli';

export const ESPRUINO_CLI = 'node_modules/.bin/espruino';
/** the Espruino firmware version the bundles target (espruino.md) */
export const FIRMWARE_VERSION = '2v29';

export { UsageError };

export const FLASH: Command = {
  usage: 'npm run flash --',
  about: 'Builds dist/<bundle>.js if its sources changed, checks that it fits the board\'s flash Storage, and uploads it\n' +
    'with the espruino CLI into Storage (.bootcde, pretokenised), where it runs at every boot. Works offline.',
  options: [
    { name: 'board', value: 'NAME', help: 'the board file (boards/NAME.ts); required' },
    { name: 'port', alias: 'p', value: 'DEVICE', help: 'the board\'s serial device, e.g. /dev/ttyACM0; required' },
    { name: 'nic', value: 'NIC', help: 'the network controller: the board file\'s own, or one a boards/NAME-NIC.ts wires' },
    { name: 'app', value: 'FILE', help: 'the application: firmware/app/main.ts (default) or an example in examples/' },
    { name: 'dry-run', help: 'build and check, then print the espruino command instead of running it' },
  ],
};

export interface FlashRequest {
  /** the board file that is built (boards/<board>.ts) */
  board: string;
  port: string;
  dryRun: boolean;
  /** the bundle that goes up, e.g. dist/espruino-pico.js or dist/six-step-espruino-pico.js */
  bundle: string;
}

const DEFAULT_APP = 'firmware/app/main.ts';

/** the bundles rollup.config.js makes: the default application, and each example, per board file */
function appBundle(app: string, board: string): string {
  const rel = path.relative(repoRoot, path.resolve(repoRoot, app)).split(path.sep).join('/');
  if (rel === DEFAULT_APP) return `dist/${board}.js`;
  const m = /^examples\/([A-Za-z0-9_-]+)\.ts$/.exec(rel);
  const examples = fs.existsSync(path.join(repoRoot, 'examples')) ? fs.readdirSync(path.join(repoRoot, 'examples')).filter((f) => f.endsWith('.ts')) : [];
  if (!m || !examples.includes(m[1] + '.ts')) {
    throw new UsageError(`--app ${app}: not an application the build makes; use ${[DEFAULT_APP, ...examples.map((e) => 'examples/' + e)].join(' or ')}`);
  }
  return `dist/${m[1]}-${board}.js`;
}

/** the board file for a board and a NIC: the board's own when it carries that NIC, else boards/<board>-<nic>.ts */
function boardFor(board: string, nic: string | undefined): string {
  if (nic === undefined || readWiring(board).nic === nic) return board;
  const variant = `${board}-${nic}`;
  if (knownBoards().includes(variant) && readWiring(variant).nic === nic) return variant;
  const carry = knownBoards().filter((b) => readWiring(b).nic === nic);
  throw new UsageError(`no board file wires a ${nic} to ${board} (boards/${board}.ts carries ${readWiring(board).nic}` +
    (carry.length ? `; boards with a ${nic}: ${carry.join(', ')}` : `; no board file carries a ${nic} yet`) + ')');
}

export function parseFlashArgs(argv: string[]): FlashRequest {
  const o = parseOptions(FLASH, argv);
  const known = knownBoards();
  const name = o.board as string | undefined;
  if (!name) throw new UsageError(`missing --board; known boards: ${known.join(', ')}`);
  if (!known.includes(name)) throw new UsageError(`unknown board "${name}"; known boards: ${known.join(', ')}`);
  const port = o.port as string | undefined;
  if (!port) throw new UsageError('missing --port (the board\'s serial device, e.g. --port /dev/ttyACM0)');
  const board = boardFor(name, o.nic as string | undefined);
  return { board, port, dryRun: !!o['dry-run'], bundle: appBundle((o.app as string | undefined) ?? DEFAULT_APP, board) };
}

/** flash Storage bytes of the board a board file is for (its budget, boards/board.ts) */
export function storageBytes(board: string): number {
  return readBudget(board).storageBytes;
}

/** how many bytes `code` takes in Storage as espruino-tools writes it (pretokenised) */
export function flashedSize(code: string): Promise<number> {
  return new Promise((resolve) => withFlashedSize((size) => resolve(size(code))));
}

/** The board description espruino-tools reads with `--board file.json` (fields read by its core/ and plugins/). */
export function boardJson(board: string): Record<string, unknown> {
  const w = readWiring(board);
  const p = profileFor(w.espruinoBoard);
  return {
    BOARD: p.espruinoBoard,
    info: {
      name: p.title,
      binary_version: FIRMWARE_VERSION,
      builtin_modules: p.builtinModules,
    },
    chip: { family: p.family, part: p.part },
  };
}

export function boardJsonPath(board: string): string {
  return `dist/${board}.board.json`;
}

/** espruino-tools arguments, paths relative to the repository root (the command's working directory). */
export function espruinoArgs(board: string, port: string, bundle = `dist/${board}.js`): string[] {
  return ['--no-ble', '--board', boardJsonPath(board), '-b', '115200', '-p', port, '--config', 'SAVE_ON_SEND=1', '--config', 'PRETOKENISE=1', bundle];
}

export function shellQuote(args: string[]): string {
  return args.map((a) => (/^[A-Za-z0-9_./:=@-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

export async function main(argv: string[]): Promise<number> {
  let req: FlashRequest;
  try {
    if (argv.includes('--help') || argv.includes('-h')) {
      process.stdout.write(formatHelp(FLASH));
      return 0;
    }
    req = parseFlashArgs(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      console.error('flash: ' + e.message);
      return e.exitCode;
    }
    throw e;
  }
  let build;
  try {
    build = await ensureBundle(req.bundle);
  } catch (e) {
    console.error(`flash: building ${req.bundle} failed: ${(e as Error).message}`);
    console.error('flash: fix the error above (npm run build shows it in full), then run the command again');
    return 1;
  }
  console.log(describeBuild(build));
  const room = storageBytes(req.board);
  const size = await flashedSize(fs.readFileSync(path.join(repoRoot, req.bundle), 'utf8'));
  // espruino-tools' Storage write adds a file header (the gate counts it the same way)
  if (size + STORAGE_FILE_HEADER > room) {
    console.error(`flash: ${req.bundle} takes ${size} bytes in Storage (pretokenised) and ${req.board}'s flash Storage holds ${room}: ` +
      `it does not fit, nothing was uploaded. Flash a board with more Storage (npm run check:bundle lists what fits where) or a smaller --app.`);
    return 1;
  }
  console.log(`${req.bundle}: ${size} bytes pretokenised, ${room} bytes of Storage on ${req.board}`);
  const args = espruinoArgs(req.board, req.port, req.bundle);
  fs.writeFileSync(path.join(repoRoot, boardJsonPath(req.board)), JSON.stringify(boardJson(req.board), null, 2) + '\n');
  if (req.dryRun) {
    console.log(shellQuote([ESPRUINO_CLI, ...args]));
    return 0;
  }
  // espruino-tools reports a missing port but still exits 0, so check here
  if (req.port.startsWith('/dev/') && !fs.existsSync(req.port)) {
    console.error(`flash: serial port ${req.port} not found: plug the board in (its port shows in ls /dev/ttyACM* /dev/ttyUSB*), then run the command again`);
    return 1;
  }
  const r = spawnSync(path.join(repoRoot, ESPRUINO_CLI), args, { cwd: repoRoot, stdio: 'inherit' });
  if (r.error) {
    console.error(`flash: cannot run ${ESPRUINO_CLI}: ${r.error.message} (run npm ci first)`);
    return 1;
  }
  return r.status ?? 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (e) => { console.error(e); process.exitCode = 1; });
}
