// Runs dist/<board>.js on the virtual board with a W5500 register stub on the board's SPI/CS
// and prints what the bundle did. Usage: tsx tools/start.ts [--board NAME] [--ms VIRTUAL_MS]
import fs from 'node:fs';
import path from 'node:path';
import { VirtualClock } from '../hal/node/virtual-clock';
import { VirtualBoard, W5500RegisterStub, ChipPin, knownBoards, readWiring, repoRoot } from '../sim/board/index';

function hex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');
}

function option(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
}

const argv = process.argv.slice(2);
const boardName = option(argv, '--board') ?? 'espruino-pico';
const ms = Number(option(argv, '--ms') ?? 1000);
if (!knownBoards().includes(boardName)) {
  console.error(`unknown board "${boardName}"; known boards: ${knownBoards().join(', ')}`);
  process.exit(2);
}
const bundle = path.join(repoRoot, 'dist', boardName + '.js');
if (!fs.existsSync(bundle)) {
  console.error(`${path.relative(repoRoot, bundle)} is missing; run npm run build`);
  process.exit(2);
}

const wiring = readWiring(boardName);
const board = new VirtualBoard({ clock: new VirtualClock(), boardName });
board.attachSpi(wiring.spi, wiring.cs, new W5500RegisterStub());
if (wiring.int) board.attachPin(wiring.int, new ChipPin(true)); // INTn idles high; the stub never asserts it

console.log(`virtual ${board.profile.title} (${boardName}): W5500 register stub on ${wiring.spi}, CS ${wiring.cs}` +
  (wiring.int ? `, INT ${wiring.int}` : '') + `; running ${ms} ms of virtual time`);
board.load(fs.readFileSync(bundle, 'utf8'), path.relative(repoRoot, bundle));
board.runFor(ms);

for (const line of board.log.console) console.log('> ' + line);
console.log(`SPI transactions: ${board.log.spiCount}`);
for (const t of board.log.spi.slice(0, 20)) console.log(`  ${t.time.toFixed(3)} ms ${t.port}/${t.cs ?? '-'}  MOSI ${hex(t.mosi)}  MISO ${hex(t.miso)}`);
if (board.log.spiCount > 20) console.log(`  … ${board.log.spiCount - 20} more`);
console.log(`timers ${board.timerCount()}, watches ${board.watchCount()}, errors ${board.errors.length}`);
for (const e of board.errors) console.log(`  ${e.where} at ${e.time} ms: ${e.name}: ${e.message}`);
process.exit(board.errors.length === 0 ? 0 : 1);
