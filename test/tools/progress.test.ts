import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { repoRoot } from '../../sim/board/wiring';
import { Progress } from '../../tools/progress';
import { UsageError, formatHelp, parseOptions, type Command } from '../../tools/cli';

function fakeStream(isTTY: boolean): { stream: NodeJS.WriteStream; written: string[] } {
  const written: string[] = [];
  const stream = { isTTY, columns: 60, write: (s: string) => { written.push(s); return true; } } as unknown as NodeJS.WriteStream;
  return { stream, written };
}

describe('progress and options of the long commands (tools/progress.ts, tools/cli.ts)', () => {
  it('on a terminal: one line redrawn in place, at most every interval, and cleared; nothing when not a terminal or in CI', () => {
    const tty = fakeStream(true);
    const saved = process.env.CI;
    delete process.env.CI;
    try {
      const p = new Progress('soak', 200, { stream: tty.stream, intervalMs: 1e9 });
      assert.equal(p.enabled, true);
      p.update(10, '0 failed');
      p.update(20, 'not shown: too soon');
      p.update(200, 'the last one always shows');
      p.clear();
      assert.equal(tty.written.length, 3);
      assert.match(tty.written[0], /^\rsoak: 10\/200 \(5 %\), 0 s — 0 failed$/);
      assert.match(tty.written[1], /^\rsoak: 200\/200 \(100 %\), 0 s — the last one always shows$/);
      assert.equal(tty.written[2], '\r' + ' '.repeat(tty.written[1].length - 1) + '\r');
      process.env.CI = 'true';
      assert.equal(new Progress('soak', 1, { stream: tty.stream }).enabled, false);
    } finally {
      if (saved === undefined) delete process.env.CI; else process.env.CI = saved;
    }
    const pipe = fakeStream(false);
    const q = new Progress('fuzz', 5, { stream: pipe.stream });
    q.update(5);
    q.clear();
    assert.deepEqual(pipe.written, []);
  });

  it('options: values, ints, flags, aliases, --name=value; each mistake is a one-line UsageError', () => {
    const cmd: Command = { usage: 'npm run x --', about: 'x', options: [
      { name: 'board', value: 'NAME', help: 'b', choices: ['a', 'b'] }, { name: 'port', alias: 'p', value: 'DEVICE', help: 'p' },
      { name: 'n', value: 'N', type: 'int', help: 'n' }, { name: 'quiet', help: 'q' }] };
    assert.deepEqual(parseOptions(cmd, ['--board', 'a', '-p', '/dev/x', '--n=12', '--quiet']), { board: 'a', port: '/dev/x', n: 12, quiet: true });
    const bad = (argv: string[], msg: string) => assert.throws(() => parseOptions(cmd, argv), (e: unknown) => e instanceof UsageError && e.exitCode === 2 && e.message === msg);
    bad(['--bord', 'a'], 'unknown option "--bord" (npm run x -- --help lists the options)');
    bad(['--board', 'c'], '--board "c" is not one of: a, b');
    bad(['--board'], '--board needs a value (NAME)');
    bad(['--n', '1.5'], '--n wants a non-negative integer, not "1.5"');
    bad(['--quiet=yes'], '--quiet takes no value');
    assert.equal(formatHelp(cmd), 'usage: npm run x -- [options]\n\nx\n\noptions:\n      --board NAME   b\n  -p, --port DEVICE  p\n      --n N          n\n      --quiet        q\n  -h, --help         this text\n');
  });

  it('bench, soak and fuzz answer --help and refuse an unknown option with exit 2', function () {
    this.timeout(60000);
    for (const [file, usage] of [['tools/bench.ts', 'npm run bench --'], ['tools/soak.ts', 'npm run soak --'], ['tools/net-fuzz.ts', 'npm run fuzz --']]) {
      const h = spawnSync(process.execPath, ['--import', 'tsx', file, '--help'], { cwd: repoRoot, encoding: 'utf8' });
      assert.equal(h.status, 0, file);
      assert.ok(h.stdout.startsWith(`usage: ${usage} [options]\n`), h.stdout);
      const b = spawnSync(process.execPath, ['--import', 'tsx', file, '--nope'], { cwd: repoRoot, encoding: 'utf8' });
      assert.equal(b.status, 2, file);
      assert.equal(b.stderr, `${usage.split(' ')[2]}: unknown option "--nope" (${usage} --help lists the options)\n`);
    }
  });
});
