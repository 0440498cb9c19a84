import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { knownBoards, readBudget, repoRoot } from '../../sim/board/wiring';

function size(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'tools/size.ts'), ...args], { cwd: repoRoot, encoding: 'utf8' });
}

describe('npm run size (tools/size.ts)', function () {
  this.timeout(600000); // every board file's bundles on the virtual board, twice: a minute alone, more on a loaded machine

  it('a bad option is exit 2 with one line; --help lists the options', () => {
    const bad = size('--bogus');
    assert.equal(bad.status, 2);
    assert.equal(bad.stderr, 'size: unknown option "--bogus" (npm run size -- --help lists the options)\n');
    const help = size('--help');
    assert.equal(help.status, 0);
    assert.match(help.stdout, /^usage: npm run size -- \[options\]$/m);
  });

  it('prints one row per board file: bytes as flashed, Storage, variables after load and bring-up, the budget and whether it is met; and what connections cost', function () {
    if (!knownBoards().every((b) => fs.existsSync(path.join(repoRoot, 'dist', `bring-up-${b}.js`)))) this.skip(); // npm test builds first
    const r = size();
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.split('\n').filter((l) => l.startsWith('| `'));
    const rows = lines.filter((l) => l.split('|').length === 13);
    const conns = lines.filter((l) => l.split('|').length === 6);
    assert.deepEqual(conns.map((l) => l.split('`')[1]), knownBoards());
    // the Original's standard firmware has no NetworkJS (docs: espruino.md §5), which the default firmware's status page
    // needs: both Original board files' default firmware is the echo service alone (their `firmwareApp`), and each says
    // what the board cannot have; with the ENC28J60 not even the echo service fits its variables
    assert.deepEqual(conns.filter((l) => /Module "NetworkJS" not found/.test(l)), []);
    assert.match(conns.find((l) => l.startsWith('| `espruino-original-enc28j60`'))!, /\| Out of memory: \d+ variables needed, the Original Espruino has 2756 \|/);
    assert.match(r.stdout, /^`espruino-original-enc28j60` cannot have: the ENC28J60 itself/m);
    assert.deepEqual(r.stdout.split('\n').filter((l) => / cannot have: /.test(l)),
      knownBoards().filter((b) => readBudget(b).lacks).map((b) => `\`${b}\` cannot have: ${readBudget(b).lacks}`));
    assert.match(r.stdout, /^`espruino-original` cannot have: the status page/m);
    for (const row of conns.filter((l) => !/Out of memory/.test(l))) {
      // variables / typed-array bytes: an idle device holds some of both, an open connection costs variables
      const [idle, open] = row.split('|').slice(2, 4).map((c) => c.trim().split(' / ').map((x) => Number(x.replace(/,/g, ''))));
      assert.ok(idle[0] > 0 && idle[1] > 0 && open[0] > 0, row);
      // a board that cannot hold two connections gives what one costs and says what two needed
      if (/one connection/.test(row)) assert.match(row.split('|')[3], /^ [\d,]+ \/ [\d,]+ \(one connection: with two, \d+ variables needed, the [A-Za-z ]+ has \d+\) $/, row);
    }
    assert.deepEqual(rows.map((l) => l.split('`')[1]), knownBoards());
    for (const row of rows) {
      const cells = row.split('|').slice(1, -1).map((c) => c.trim());
      const b = readBudget(cells[0].replace(/`/g, ''));
      const num = (s: string): number => Number(s.replace(/,/g, ''));
      assert.equal(num(cells[4]), b.storageBytes, row);
      assert.equal(num(cells[5].split(' ')[0]), b.storageBytes - num(cells[2]), row);
      const [load, up] = cells[6].split(' / ').map(num);
      assert.ok(load > 0 && up >= load, row);
      assert.equal(cells[9], `${b.runtimeVariables.toLocaleString('en-US')} of ${b.variables.toLocaleString('en-US')}`, row);
      const met = num(cells[2]) + b.appStorageBytes <= b.storageBytes && up <= b.runtimeVariables && load <= b.runtimeVariables;
      assert.equal(cells[10], b.unmet ? 'no (known)' : 'yes', row);
      if (!b.unmet) assert.ok(met, row);
    }
  });
});
