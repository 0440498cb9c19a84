// Uploads dist/<board>.js through espruino-tools straight into flash (Storage file .bootcde, SAVE_ON_SEND=1),
// pretokenised (PRETOKENISE=1: keywords as one-byte tokens): the code then runs from flash at every boot, so
// function text costs no RAM variables, and the runtime fits the Pico's 48 KB Storage.
// Usage: npm run flash -- --board espruino-pico --port /dev/ttyACM0 [--dry-run]
// espruino-tools would download the board description from the Espruino website; it is
// generated here from boards/ (wiring + sim/board/profiles.ts) so that flashing works offline.
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { knownBoards, readWiring, repoRoot } from '../sim/board/wiring';
import { profileFor } from '../sim/board/profiles';

export const ESPRUINO_CLI = 'node_modules/.bin/espruino';
/** the Espruino firmware version the bundles target (espruino.md) */
export const FIRMWARE_VERSION = '2v29';

export class UsageError extends Error {
  readonly exitCode = 2;
}

export interface FlashRequest { board: string; port: string; dryRun: boolean }

export function parseFlashArgs(argv: string[]): FlashRequest {
  let board: string | undefined;
  let port: string | undefined;
  let dryRun = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--board') board = argv[++i];
    else if (a === '--port' || a === '-p') port = argv[++i];
    else if (a === '--dry-run') dryRun = true;
    else throw new UsageError(`unknown argument "${a}"; usage: npm run flash -- --board NAME --port DEVICE [--dry-run]`);
  }
  const known = knownBoards();
  if (!board) throw new UsageError(`missing --board; known boards: ${known.join(', ')}`);
  if (!known.includes(board)) throw new UsageError(`unknown board "${board}"; known boards: ${known.join(', ')}`);
  if (!port) throw new UsageError('missing --port (the board\'s serial device, e.g. --port /dev/ttyACM0)');
  return { board, port, dryRun };
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

export function bundlePath(board: string): string {
  return `dist/${board}.js`;
}

/** espruino-tools arguments, paths relative to the repository root (the command's working directory). */
export function espruinoArgs(board: string, port: string): string[] {
  return ['--no-ble', '--board', boardJsonPath(board), '-b', '115200', '-p', port, '--config', 'SAVE_ON_SEND=1', '--config', 'PRETOKENISE=1', bundlePath(board)];
}

export function shellQuote(args: string[]): string {
  return args.map((a) => (/^[A-Za-z0-9_./:=@-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

function newestSource(dir: string): number {
  let newest = 0;
  if (!fs.existsSync(dir)) return 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (p !== path.join(repoRoot, 'hal', 'node')) newest = Math.max(newest, newestSource(p));
    } else if (e.name.endsWith('.ts')) newest = Math.max(newest, fs.statSync(p).mtimeMs);
  }
  return newest;
}

/** Whether dist/<board>.js is missing or older than anything the build reads. */
export function needsBuild(board: string): boolean {
  const out = path.join(repoRoot, bundlePath(board));
  if (!fs.existsSync(out)) return true;
  const built = fs.statSync(out).mtimeMs;
  const inputs = [
    ...['boards', 'firmware', 'hal', 'examples'].map((d) => newestSource(path.join(repoRoot, d))),
    ...['rollup.config.js', 'tsconfig.json'].map((f) => fs.statSync(path.join(repoRoot, f)).mtimeMs),
  ];
  return Math.max(...inputs) > built;
}

export function main(argv: string[]): number {
  let req: FlashRequest;
  try {
    req = parseFlashArgs(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      console.error('flash: ' + e.message);
      return e.exitCode;
    }
    throw e;
  }
  const build = needsBuild(req.board);
  const args = espruinoArgs(req.board, req.port);
  fs.mkdirSync(path.join(repoRoot, 'dist'), { recursive: true });
  fs.writeFileSync(path.join(repoRoot, boardJsonPath(req.board)), JSON.stringify(boardJson(req.board), null, 2) + '\n');
  if (req.dryRun) {
    if (build) console.log('npm run build');
    console.log(shellQuote([ESPRUINO_CLI, ...args]));
    return 0;
  }
  // espruino-tools reports a missing port but still exits 0, so check here
  if (req.port.startsWith('/dev/') && !fs.existsSync(req.port)) {
    console.error(`flash: serial port ${req.port} not found (is the board plugged in?)`);
    return 1;
  }
  if (build) {
    const b = spawnSync('npm', ['run', 'build'], { cwd: repoRoot, stdio: 'inherit' });
    if (b.status !== 0) return b.status ?? 1;
  }
  const r = spawnSync(path.join(repoRoot, ESPRUINO_CLI), args, { cwd: repoRoot, stdio: 'inherit' });
  if (r.error) {
    console.error(`flash: cannot run ${ESPRUINO_CLI}: ${r.error.message} (npm install first)`);
    return 1;
  }
  return r.status ?? 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  process.exitCode = main(process.argv.slice(2));
}
