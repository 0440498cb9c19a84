// Runs dist/<board>.js on the virtual board with the W5500 model in its worker thread (host network
// side, real time, INTn on the board's INT pin, RSTn from its RST pin), then acts as the PC peer: a
// Node TCP client talks to the bundle's echo service on port 7 through the loopback mapping, sends a
// line, reads the echo, shuts down, and waits for the device's close. Prints both sides.
// Usage: tsx tools/start.ts [--board NAME]
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { RealClock } from '../hal/node/real-clock';
import { Edge } from '../hal/pins';
import { VirtualBoard, knownBoards, readWiring, repoRoot } from '../sim/board/index';
import type { PinSource } from '../sim/board/index';
import { W5500Thread } from '../sim/w5500/worker-client';

const LIMIT_MS = 10000;
const ECHO_PORT = 7;
/** the PC peer's loopback address: the device sees it as 192.168.1.10 */
const PEER_HOST = '127.0.0.10';
const LINE = 'hello from the PC peer\n';

function option(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
}

const argv = process.argv.slice(2);
const boardName = option(argv, '--board') ?? 'espruino-pico';
if (!knownBoards().includes(boardName)) {
  console.error(`unknown board "${boardName}"; known boards: ${knownBoards().join(', ')}`);
  process.exit(2);
}
const bundle = path.join(repoRoot, 'dist', boardName + '.js');
if (!fs.existsSync(bundle)) {
  console.error(`${path.relative(repoRoot, bundle)} is missing; run npm run build`);
  process.exit(2);
}

const started = Date.now();
function left(): number {
  return LIMIT_MS - (Date.now() - started);
}
async function until(what: string, cond: () => boolean): Promise<void> {
  while (!cond()) {
    if (left() <= 0) throw new Error('timed out waiting for ' + what);
    await new Promise((r) => setTimeout(r, 2));
  }
}

async function main(): Promise<number> {
  const wiring = readWiring(boardName);
  const clock = new RealClock();
  const chip = await W5500Thread.start({ clock, hostPorts: 'ephemeral' });
  const board = new VirtualBoard({ clock, boardName });
  const peerLog: string[] = [];
  let client: net.Socket | undefined;
  try {
    board.attachSpi(wiring.spi, wiring.cs, { exchange: (mosi) => chip.exchange(mosi) });
    if (wiring.int) {
      const intn: PinSource = {
        read: () => chip.intn,
        onChange: (fn) => { chip.intPin.watch(Edge.Both, fn); },
      };
      board.attachPin(wiring.int, intn);
    }
    if (wiring.rst) {
      let level = true;
      board.onPinWrite(wiring.rst, (high) => {
        if (level && !high) chip.hardReset();
        level = high;
      });
    }
    console.log(`virtual ${board.profile.title} (${boardName}): W5500 model on ${wiring.spi}, CS ${wiring.cs}` +
      (wiring.int ? `, INT ${wiring.int}` : '') + (wiring.rst ? `, RST ${wiring.rst}` : '') + '; host network, real time');
    board.load(fs.readFileSync(bundle, 'utf8'), path.relative(repoRoot, bundle));
    const has = (s: string) => board.log.console.some((l) => l.includes(s));
    await until('the echo service', () => has('echo service') || board.errors.length > 0);
    const at = chip.bound().find((b) => b.proto === 'tcp' && b.chipPort === ECHO_PORT);
    if (!at) throw new Error('the bundle did not open the echo service: ' + board.log.console.join(' | '));

    // The PC peer. Each step waits for the device's side of the previous one, so the order is fixed.
    let received = '';
    let ended = false;
    let closed = false;
    const c = net.connect({ host: at.address, port: at.port, localAddress: PEER_HOST, allowHalfOpen: true });
    client = c;
    c.on('data', (d: Buffer) => { received += d.toString('utf8'); });
    c.on('end', () => { ended = true; peerLog.push('PC peer: end of stream (the device closed)'); });
    c.on('close', () => { closed = true; peerLog.push('PC peer: closed'); });
    c.on('error', (e: Error) => { peerLog.push('PC peer: error ' + e.message); });
    await new Promise<void>((resolve, reject) => { c.once('connect', () => resolve()); c.once('error', reject); });
    peerLog.push(`PC peer: connected to 192.168.1.20:${ECHO_PORT} (loopback ${at.address}, from 192.168.1.10)`);
    await until('the device to accept', () => has('accepted'));
    c.write(LINE);
    peerLog.push('PC peer: sent ' + JSON.stringify(LINE));
    await until('the echo', () => received.length >= LINE.length);
    peerLog.push('PC peer: received ' + JSON.stringify(received));
    c.end();
    peerLog.push('PC peer: shut down sending (FIN)');
    await until('the device to close', () => ended && closed && has('closed'));
    const ok = received === LINE && board.errors.length === 0;
    for (const line of board.log.console) console.log('> ' + line);
    for (const line of peerLog) console.log(line);
    console.log(`event order: device ${board.log.console.filter((l) => /^FD_|closed/.test(l)).map((l) => l.split(' ')[0].replace(/^s\d+:$/, 'closed')).join(' → ')}; ` +
      `PC peer ${peerLog.map((l) => l.slice(9).split(' ')[0]).join(' → ')}`);
    console.log(ok ? 'echo OK' : 'echo FAILED');
    return ok ? 0 : 1;
  } catch (e) {
    for (const line of board.log.console) console.log('> ' + line);
    for (const line of peerLog) console.log(line);
    console.log('FAILED: ' + (e as Error).message);
    for (const err of board.errors) console.log(`  ${err.where} at ${err.time.toFixed(1)} ms: ${err.name}: ${err.message}`);
    return 1;
  } finally {
    if (client) client.destroy();
    board.reset();
    clock.clearAll();
    await chip.close();
  }
}

main().then((code) => process.exit(code), (e) => { console.error(e); process.exit(1); });
