/**
 * `npm run hil -- --board B --port P`: hardware in the loop. Builds dist/hil-<board>.js (firmware/app/hil.ts)
 * when its sources changed, starts the PC's peer server (tools/hil-peer.ts) and names it, uploads the bundle
 * over the serial port into Storage as espruino-tools does (pretokenised, .bootcde), runs it, starts the
 * scenarios against the peer, and collects the results from the console. Prints `N passed, N failed`; exit 0
 * when all passed, 1 when one failed, 3 when the board stopped answering, 2 on a bad option.
 * The board's network: the device is 192.168.1.20/24 and reaches the PC as --peer-ip (default 192.168.1.10).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import tty from 'node:tty';
import { knownBoards, repoRoot } from '../sim/board/wiring';
import { ensureBundle, describeBuild } from './bundle-cache';
import { optionsOrExit, type Command } from './cli';
import { espruinoTools } from './espruino-tools';
import { storageBytes } from './flash';
import { HilPeer, SCENARIO_NAMES, type PeerVerdict } from './hil-peer';
import { Progress } from './progress';

export const HIL: Command = {
  usage: 'npm run hil --',
  about: 'Runs the teardown scenarios on a board\'s real network chip with this PC as the peer, over its serial console.',
  options: [
    { name: 'board', value: 'NAME', help: 'the board file (boards/NAME.ts); required', choices: knownBoards() },
    { name: 'port', alias: 'p', value: 'DEVICE', help: 'the board\'s serial console, e.g. /dev/ttyACM0; required' },
    { name: 'listen', value: 'ADDR', help: 'where the peer server listens (default 0.0.0.0)' },
    { name: 'peer-port', value: 'N', type: 'int', help: 'the peer server\'s port (default: the OS picks one)' },
    { name: 'peer-ip', value: 'ADDR', help: 'the PC\'s address as the board sees it (default 192.168.1.10)' },
    { name: 'timeout', value: 'S', type: 'int', help: 'seconds of silence from the board before it counts as gone (default 20)' },
  ],
};

/** Storage upload chunk, as espruino-tools' saveOnSend writes them */
const CHUNK = 1024;

export function uploadLines(tokenised: string, quote: (s: string) => string): string[] {
  const lines: string[] = [];
  for (let i = 0; i < tokenised.length; i += CHUNK) {
    const args = [quote('.bootcde'), quote(tokenised.substr(i, CHUNK)), String(i)];
    if (i === 0) args.push(String(tokenised.length));
    lines.push('\x10require("Storage").write(' + args.join(',') + ');\n');
  }
  return lines;
}

class BoardGone extends Error {}

/** the board's console: lines in, text out, with a silence limit */
class Console {
  private buf = '';
  private lines: string[] = [];
  private waiter: (() => void) | undefined;
  private lastHeard = performance.now();
  private readonly input: tty.ReadStream;
  private readonly output: tty.WriteStream;

  constructor(private fd: number, private silenceMs: number) {
    this.input = new tty.ReadStream(fd);
    this.input.setRawMode(true);
    this.output = new tty.WriteStream(fd);
    this.input.on('data', (d: Buffer) => {
      this.lastHeard = performance.now();
      this.buf += d.toString('latin1');
      let nl: number;
      while ((nl = this.buf.indexOf('\n')) >= 0) {
        this.lines.push(this.buf.slice(0, nl).replace(/\r$/, '').replace(/^[>\s]+(?=HIL )/, ''));
        this.buf = this.buf.slice(nl + 1);
      }
      if (this.waiter) this.waiter();
    });
  }

  write(text: string): Promise<void> {
    return new Promise((resolve, reject) => this.output.write(Buffer.from(text, 'latin1'), (e) => (e ? reject(e) : resolve())));
  }

  /** the next console line that matches, or BoardGone after `silenceMs` without a byte */
  async expect(re: RegExp): Promise<RegExpMatchArray> {
    for (;;) {
      while (this.lines.length) {
        const m = this.lines.shift()!.match(re);
        if (m) return m;
      }
      const quiet = performance.now() - this.lastHeard;
      if (quiet >= this.silenceMs) throw new BoardGone(`nothing from the board for ${Math.round(quiet / 1000)} s`);
      await new Promise<void>((r) => {
        const t = setTimeout(() => { this.waiter = undefined; r(); }, Math.min(500, this.silenceMs - quiet));
        this.waiter = () => { clearTimeout(t); this.waiter = undefined; r(); };
      });
    }
  }

  close(): void {
    this.input.setRawMode(false);
    this.input.destroy();
    this.output.destroy();
    try { fs.closeSync(this.fd); } catch { /* already closed by the streams */ }
  }
}

async function main(): Promise<number> {
  const o = optionsOrExit(HIL, process.argv.slice(2), 'hil');
  const board = o.board as string | undefined;
  const port = o.port as string | undefined;
  if (!board) { console.error(`hil: missing --board; known boards: ${knownBoards().join(', ')}`); return 2; }
  if (!port) { console.error('hil: missing --port (the board\'s serial console, e.g. --port /dev/ttyACM0)'); return 2; }
  const silenceMs = ((o.timeout as number | undefined) ?? 20) * 1000;
  const peerIp = (o['peer-ip'] as string | undefined) ?? '192.168.1.10';

  const bundle = `dist/hil-${board}.js`;
  try {
    console.log(describeBuild(await ensureBundle(bundle)));
  } catch (e) {
    console.error(`hil: building ${bundle} failed: ${(e as Error).message}; fix it (npm run build shows it in full), then run npm run hil again`);
    return 1;
  }
  const tools = await espruinoTools();
  const tokenised = tools.tokenise(fs.readFileSync(path.join(repoRoot, bundle), 'utf8'));
  const room = storageBytes(board);
  if (room !== undefined && tokenised.length + 32 > room) {
    console.error(`hil: ${bundle} takes ${tokenised.length} bytes in Storage and ${board}'s flash Storage holds ${room}: nothing was uploaded; run the scenarios on a board with more Storage`);
    return 1;
  }

  let fd: number;
  try {
    fd = fs.openSync(port, fs.constants.O_RDWR | fs.constants.O_NOCTTY | fs.constants.O_NONBLOCK);
  } catch (e) {
    console.error(`hil: cannot open ${port} (${(e as NodeJS.ErrnoException).code}): plug the board in (ls /dev/ttyACM* /dev/ttyUSB*) and check that no other program holds the port, then run npm run hil again`);
    return 1;
  }
  if (!tty.isatty(fd)) {
    fs.closeSync(fd);
    console.error(`hil: ${port} is not a serial port (not a tty); name the board's console, e.g. --port /dev/ttyACM0`);
    return 2;
  }
  // a UART needs its speed; a USB console and a pty ignore it
  spawnSync('stty', ['-F', port, '115200'], { stdio: 'ignore' });

  const verdicts = new Map<string, string>();
  let peer: HilPeer;
  try {
    peer = await HilPeer.listen((o.listen as string | undefined) ?? '0.0.0.0', (o['peer-port'] as number | undefined) ?? 0, (v: PeerVerdict) => verdicts.set(v.scenario, v.why));
  } catch (e) {
    fs.closeSync(fd);
    console.error(`hil: the peer server cannot listen: ${(e as Error).message}; choose another --listen address or --peer-port`);
    return 1;
  }
  console.log(`peer server: ${(o.listen as string | undefined) ?? '0.0.0.0'}:${peer.port} (the board reaches it as ${peerIp}:${peer.port})`);
  const con = new Console(fd, silenceMs);
  const progress = new Progress('hil', SCENARIO_NAMES.length);
  const results: Array<{ name: string; why: string }> = [];
  let code = 0;
  try {
    const lines = uploadLines(tokenised, (s) => tools.toJSONishString(s));
    console.log(`uploading ${bundle} to ${port}: ${tokenised.length} bytes into Storage (.bootcde)`);
    await con.write('\x03\x03\x10reset();\n');
    await new Promise((r) => setTimeout(r, 300));
    for (let i = 0; i < lines.length; i++) {
      await con.write(lines[i]);
      progress.update(0, `upload ${Math.round(((i + 1) / lines.length) * 100)} %`);
    }
    await con.write('\x10load()\n');
    const ready = await con.expect(/^HIL (READY (\d+)|FAILED .*)$/);
    if (!ready[2]) throw new Error(`the board could not start: ${ready[1]}`);
    await con.write(`\x10hil(${JSON.stringify(peerIp)},${peer.port})\n`);
    for (;;) {
      const m = await con.expect(/^HIL (?:DONE (\d+) (\d+)|(\S+) (PASS|FAIL)(?: (.*))?)$/);
      if (m[1] !== undefined) break;
      const name = m[3];
      // the peer's verdict comes with the connection's end, a moment after the device's
      const by = performance.now() + 2000;
      while (!verdicts.has(name) && performance.now() < by) await new Promise((r) => setTimeout(r, 20));
      const peerWhy = verdicts.has(name) ? verdicts.get(name)! : 'the peer never heard from the device';
      const why = [m[4] === 'FAIL' ? 'device: ' + m[5] : '', peerWhy ? 'peer: ' + peerWhy : ''].filter(Boolean).join('; ');
      results.push({ name, why });
      progress.clear();
      console.log(`${why ? 'FAIL' : 'pass'} ${name}${why ? ': ' + why : ''}`);
      progress.update(results.length, name);
    }
  } catch (e) {
    progress.clear();
    if (e instanceof BoardGone) {
      console.error(`hil: the board stopped answering after ${results.length} of ${SCENARIO_NAMES.length} scenarios (${e.message} on ${port}); ` +
        'check its power and USB cable, press its reset button, then run npm run hil again');
      code = 3;
    } else {
      console.error(`hil: ${(e as Error).message}`);
      code = 1;
    }
  } finally {
    progress.clear();
    con.close();
    peer.close();
  }
  const failed = results.filter((r) => r.why).length + (code ? SCENARIO_NAMES.length - results.length : 0);
  console.log(`${results.length - results.filter((r) => r.why).length} passed, ${failed} failed`);
  if (code) return code;
  if (failed) console.error('hil: a scenario failed; its line above says on which side and why');
  return failed ? 1 : 0;
}

main().then((code) => process.exit(code), (e) => { console.error(e); process.exit(1); });
