/**
 * npm run size: for every board file (board × NIC), the bundles as flashed against the board's Storage, and the
 * variables after load and after bring-up against the board's total and the runtime's budget (boards/board.ts),
 * counted on the virtual board as Espruino 2v29 counts them (sim/board/variables.ts). Needs `npm run build` first.
 *
 *   runtime   dist/bring-up-<board>.js: the NIC brought up, nothing served (what the gate holds to the budget)
 *   firmware  dist/<board>.js: the default firmware (echo service and status page)
 */
import fs from 'node:fs';
import path from 'node:path';
import { knownBoards, readBudget, readWiring, repoRoot } from '../sim/board/wiring';
import { RUNTIME_BUNDLE_PREFIX, STORAGE_FILE_HEADER, withFlashedSize } from './check-bundle.js';
import { connectionCosts, runFigures } from './board-budget';
import { formatHelp, parseOptions, UsageError, type Command } from './cli';

export const SIZE: Command = {
  usage: 'npm run size --',
  about: 'Prints, for every board file, the runtime\'s and the default firmware\'s bytes as flashed (pretokenised) against\n' +
    'the board\'s Storage, and their variables after load and after bring-up on the virtual board against the board\'s.',
  options: [],
};

const NIC_NAMES: Record<string, string> = { w5500: 'W5500', enc28j60: 'ENC28J60', 'w5500-macraw': 'W5500 MACRAW' };

function n(x: number): string {
  return x.toLocaleString('en-US');
}

function main(argv: string[]): void {
  let o;
  try {
    o = parseOptions(SIZE, argv);
  } catch (e) {
    if (e instanceof UsageError) { console.error(`size: ${e.message}`); process.exitCode = 2; return; }
    throw e;
  }
  if (o.help) { console.log(formatHelp(SIZE)); return; }
  withFlashedSize((flashed) => {
    const rows: string[] = [];
    const perConn: string[] = [];
    const lacks: string[] = [];
    for (const b of knownBoards()) {
      const runtimeFile = path.join(repoRoot, 'dist', RUNTIME_BUNDLE_PREFIX + b + '.js');
      const firmwareFile = path.join(repoRoot, 'dist', b + '.js');
      if (!fs.existsSync(runtimeFile) || !fs.existsSync(firmwareFile)) {
        console.error(`size: dist/${b}.js or dist/${RUNTIME_BUNDLE_PREFIX}${b}.js is missing; run npm run build first`);
        process.exitCode = 1;
        return;
      }
      const budget = readBudget(b);
      if (budget.lacks) lacks.push(`\`${b}\` cannot have: ${budget.lacks}`);
      const runtimeCode = fs.readFileSync(runtimeFile, 'utf8');
      const firmwareCode = fs.readFileSync(firmwareFile, 'utf8');
      const rt = runFigures(runtimeCode, b);
      const fw = runFigures(firmwareCode, b);
      const rtBytes = flashed(runtimeCode) + STORAGE_FILE_HEADER;
      const fwBytes = flashed(firmwareCode) + STORAGE_FILE_HEADER;
      rows.push(`| \`${b}\` | ${NIC_NAMES[readWiring(b).nic] ?? readWiring(b).nic} | ${n(rtBytes)} | ${n(fwBytes)} | ${n(budget.storageBytes)} | ` +
        `${n(budget.storageBytes - rtBytes)} (kept: ${n(budget.appStorageBytes)}) | ${n(rt.afterLoad)} / ${n(rt.afterBringUp)} | ` +
        `${n(fw.afterLoad)} / ${n(fw.afterBringUp)} | ${n(rt.bufferBytes)} / ${n(fw.bufferBytes)} | ${n(budget.runtimeVariables)} of ${n(budget.variables)} | ` +
        `${budget.unmet ? 'no (known)' : 'yes'} |`);
      let c;
      let note = '';
      try {
        c = connectionCosts(firmwareCode, b);
      } catch (e) {
        // the board cannot hold two connections: what one costs, if it holds one (the virtual board's out-of-memory
        // error names what it needed)
        try {
          c = connectionCosts(firmwareCode, b, 1);
          note = ` (one connection: ${(e as Error).message.replace(/\|/g, '/').replace(/^Out of memory: /, 'with two, ')})`;
        } catch {
          perConn.push(`| \`${b}\` | ${(e as Error).message.replace(/\|/g, '/')} | | |`);
          continue;
        }
      }
      perConn.push(`| \`${b}\` | ${n(c.idle.variables)} / ${n(c.idle.bytes)} | ${n(c.open.variables)} / ${n(c.open.bytes)}${note} | ` +
        `${n(c.closing.variables)} / ${n(c.closing.bytes)} |`);
    }
    console.log('| board file | NIC | runtime, bytes as flashed | default firmware, bytes as flashed | Storage | left for the application (budget) | ' +
      'runtime variables after load / bring-up | default firmware variables after load / bring-up | typed-array bytes after bring-up, runtime / firmware | ' +
      'runtime budget of the board\'s variables | budget met |');
    console.log('|---|---|---|---|---|---|---|---|---|---|---|');
    for (const r of rows) console.log(r);
    console.log('');
    for (const l of lacks) console.log(l);
    if (lacks.length > 0) console.log('');
    console.log('| board file (default firmware) | idle device: variables / typed-array bytes | each open connection | each closing connection |');
    console.log('|---|---|---|---|');
    for (const r of perConn) console.log(r);
    console.log('bytes as flashed include the Storage file header; variables counted on the virtual board (sim/board/variables.ts); ' +
      'after bring-up: the NIC model answering, 3 s of board time; connections: 2 peers connect to the echo service and stay idle, ' +
      'then send FIN and go silent, so the device\'s closes wait for the ACK of its FIN in the background (one peer where the board cannot hold two)');
  });
}

main(process.argv.slice(2));
