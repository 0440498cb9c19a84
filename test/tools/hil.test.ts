import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import * as acorn from 'acorn';
import { Spawned } from './spawned';
import { repoRoot } from '../../sim/board/wiring';
import { checkSource } from '../../tools/check-bundle.js';
import { ensureBundle } from '../../tools/bundle-cache';
import { espruinoTools } from '../../tools/espruino-tools';
import { detokenise, loadTokens, VirtualConsole } from '../../tools/virtual-console';


function tsx(file: string, args: string[]): Spawned {
  return new Spawned(spawn(process.execPath, ['--import', 'tsx', file, ...args], { cwd: repoRoot, stdio: ['pipe', 'pipe', 'pipe'] }));
}

/** the virtual board with its console on a pseudo-terminal; resolves with the terminal's path */
async function virtualBoard(): Promise<{ board: Spawned; port: string }> {
  const board = tsx('tools/hil-virtual-board.ts', []);
  // starting is two module graphs (the board and the chip thread) on a shared machine: allow for that
  const m = await board.line(/^serial console on (\/dev\/pts\/\d+)$/m, 60000);
  return { board, port: m[1] };
}

async function stop(p: Spawned): Promise<void> {
  if (p.proc.exitCode !== null) return;
  p.proc.kill('SIGCONT');
  p.proc.kill('SIGTERM');
  const t = setTimeout(() => p.proc.kill('SIGKILL'), 5000);
  await p.exited;
  clearTimeout(t);
}

describe('npm run hil (tools/hil.ts) against the virtual board over a pseudo-terminal', () => {
  before(async function () {
    this.timeout(240000);
    await ensureBundle('dist/hil-espruino-pico.js');
  });

  it('the HIL bundle passes the bundle gate and fits the Pico', async function () {
    this.timeout(30000);
    const code = fs.readFileSync(path.join(repoRoot, 'dist/hil-espruino-pico.js'), 'utf8');
    assert.deepEqual(checkSource(code, 'dist/hil-espruino-pico.js'), []);
    const tools = await espruinoTools();
    assert.ok(tools.tokenise(code).length + 32 <= 49152);
  });

  it('the console takes espruino-tools\' Storage upload: detokenised, the code is the bundle, token for token', async function () {
    this.timeout(30000);
    await loadTokens();
    const tools = await espruinoTools();
    const code = fs.readFileSync(path.join(repoRoot, 'dist/hil-espruino-pico.js'), 'utf8') + '\nvar q = -5, r = [-300, 0, 127, -128, 40000], s = "a\\u0001b\\"c";\n';
    const tokens = (src: string) => [...acorn.tokenizer(src, { ecmaVersion: 2020 })].map((t) => t.type.label + ':' + String((t as acorn.Token & { value: unknown }).value));
    const tokenised = tools.tokenise(code);
    assert.ok(tokenised.length < code.length * 0.85, 'pretokenised');
    assert.deepEqual(tokens(detokenise(tokenised)).filter((t) => t !== '-:-'), tokens(code).filter((t) => t !== '-:-'));
    const ran: string[] = [];
    const con = new VirtualConsole({ run: (c) => { ran.push(c); }, kill: () => ran.push('kill') }, (t) => ran.push('print ' + t));
    // as espruino-tools writes them: 1024-byte chunks, the first with the file's size
    const chunks = ['ab\x10c', 'def'];
    con.input('\x03\x10reset();\n\x10require("Storage").write(".bootcde",' + tools.toJSONishString(chunks[0]) + ',0,7);\n');
    con.input('junk\x03\x10require("Storage").write(".bootcde",' + tools.toJSONishString(chunks[1]) + ',4);\r\n');
    assert.equal(con.storage.get('.bootcde'), 'ab\x10cdef');
    con.input('\x10load()\n1+1\n');
    assert.deepEqual(ran, ['kill', 'kill', 'ab\x10cdef', '1+1']);
  });

  it('uploads the scenarios, runs them with this PC as the peer and prints 6 passed, 0 failed (exit 0)', async function () {
    this.timeout(90000);
    const { board, port } = await virtualBoard();
    try {
      const hil = tsx('tools/hil.ts', ['--board', 'espruino-pico', '--port', port, '--listen', '127.0.0.10', '--timeout', '15']);
      const code = await hil.exited;
      assert.equal(code, 0, hil.out + hil.err + board.err);
      const lines = hil.out.trim().split('\n');
      assert.match(lines[0], /^dist\/hil-espruino-pico\.js is up to date \(sources unchanged, checked in \d+\.\d s\)$/);
      assert.match(lines[1], /^peer server: 127\.0\.0\.10:(\d+) \(the board reaches it as 192\.168\.1\.10:\1\)$/);
      assert.match(lines[2], new RegExp(`^uploading dist/hil-espruino-pico\\.js to ${port}: \\d{5} bytes into Storage \\(\\.bootcde\\)$`));
      assert.deepEqual(lines.slice(3), ['pass echo', 'pass peer-fin', 'pass peer-rst', 'pass dontlinger', 'pass linger0', 'pass shutdown-send', '6 passed, 0 failed']);
      assert.equal(hil.err, '', 'no progress line when not on a terminal');
    } finally {
      await stop(board);
    }
  });

  it('a board that stops answering mid-run: a clear error and exit code 3 after the silence limit, not a hang', async function () {
    this.timeout(90000);
    const { board, port } = await virtualBoard();
    try {
      const hil = tsx('tools/hil.ts', ['--board', 'espruino-pico', '--port', port, '--listen', '127.0.0.10', '--timeout', '3']);
      await hil.line(/^pass peer-fin$/m, 60000);
      board.proc.kill('SIGSTOP');
      const t0 = Date.now();
      const code = await hil.exited;
      assert.equal(code, 3, hil.out + hil.err);
      assert.ok(Date.now() - t0 < 20000, 'ends soon after the silence limit');
      assert.match(hil.err, new RegExp(`^hil: the board stopped answering after ([2-5]) of 6 scenarios \\(nothing from the board for 3 s on ${port}\\); check its power and USB cable, press its reset button, then run npm run hil again\\n$`));
      const after = Number(/after (\d) of 6/.exec(hil.err)![1]);
      assert.match(hil.out, new RegExp(`^${after} passed, ${6 - after} failed$`, 'm'));
    } finally {
      await stop(board);
    }
  });

  it('argument errors: exit 2 with one line; a port that is no serial port is refused', async function () {
    this.timeout(60000);
    const run = (...a: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'tools/hil.ts', ...a], { cwd: repoRoot, encoding: 'utf8' });
    const help = run('--help');
    assert.equal(help.status, 0);
    for (const o of ['--board NAME', '-p, --port DEVICE', '--listen ADDR', '--peer-port N', '--peer-ip ADDR', '--timeout S']) assert.ok(help.stdout.includes(o), o);
    const noPort = run('--board', 'espruino-pico');
    assert.equal(noPort.status, 2);
    assert.equal(noPort.stderr, 'hil: missing --port (the board\'s serial console, e.g. --port /dev/ttyACM0)\n');
    const bad = run('--board', 'espruino-pico', '--port', '/dev/null', '--timeout', 'soon');
    assert.equal(bad.status, 2);
    assert.equal(bad.stderr, 'hil: --timeout wants a non-negative integer, not "soon"\n');
    const notTty = run('--board', 'espruino-pico', '--port', '/dev/null');
    assert.equal(notTty.status, 2, notTty.stdout + notTty.stderr);
    assert.equal(notTty.stderr, 'hil: /dev/null is not a serial port (not a tty); name the board\'s console, e.g. --port /dev/ttyACM0\n');
  });
});
