/**
 * The virtual board behind a serial port, for `npm run hil` without hardware: a pseudo-terminal
 * (tools/pty-relay.py) carries the board's console, where the virtual console (tools/virtual-console.ts) takes
 * the upload and runs it on the virtual board with the W5500 model (tools/start-device.ts). Prints
 * `serial console on /dev/pts/N` and runs until stdin closes, SIGINT or SIGTERM.
 * Usage: tsx tools/hil-virtual-board.ts [--board NAME]
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { knownBoards, repoRoot } from '../sim/board/wiring';
import { optionsOrExit, type Command } from './cli';
import { VirtualDevice } from './start-device';
import { VirtualConsole, loadTokens } from './virtual-console';

const CMD: Command = {
  usage: 'tsx tools/hil-virtual-board.ts',
  about: 'A virtual board with the W5500 model whose console is a pseudo-terminal, for npm run hil -- --port <its path>.',
  options: [{ name: 'board', value: 'NAME', help: 'the board file (default espruino-pico)', choices: knownBoards() }],
};

async function main(): Promise<void> {
  const o = optionsOrExit(CMD, process.argv.slice(2), 'hil-virtual-board');
  const boardName = (o.board as string | undefined) ?? 'espruino-pico';
  await loadTokens();
  const relay = spawn('python3', [path.join(repoRoot, 'tools/pty-relay.py')], { stdio: ['pipe', 'pipe', 'inherit'] });
  const ptyPath = await new Promise<string>((resolve, reject) => {
    let head = '';
    const onData = (d: Buffer) => {
      head += d.toString('latin1');
      const nl = head.indexOf('\n');
      if (nl < 0) return;
      relay.stdout.off('data', onData);
      resolve(head.slice(0, nl));
    };
    relay.stdout.on('data', onData);
    relay.once('exit', (code) => reject(new Error(`tools/pty-relay.py ended (${code}) before it opened a pty`)));
    relay.once('error', reject);
  });
  const toPort = (text: string) => { relay.stdin.write(Buffer.from(text, 'latin1')); };
  const dev = await VirtualDevice.start({ boardName, onConsole: (line) => toPort(line + '\r\n') });
  const cons = new VirtualConsole({ run: (code, name) => dev.run(code, name), kill: () => dev.kill() }, toPort);
  relay.stdout.on('data', (d: Buffer) => cons.input(d.toString('latin1')));
  console.log(`serial console on ${ptyPath}`);
  const stop = async () => {
    await dev.stop();
    relay.stdin.end();
    relay.kill();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
  process.stdin.on('end', () => void stop());
  process.stdin.resume();
}

main().catch((e) => { console.error('hil-virtual-board: ' + (e as Error).message); process.exit(1); });
