import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from '../../sim/board/wiring';
import { runFigures } from '../../tools/board-budget';

// Build profiles (firmware/features.ts, rollup.config.js): what an application does not name is not in its bundle,
// and a call into it returns its Winsock code — never a throw, never a silent success.
async function build(only: Record<string, boolean>, dir: string): Promise<string> {
  const { rollup } = await import('rollup');
  const cfg = (await import(pathToFileURL(path.join(repoRoot, 'rollup.config.js')).href)) as {
    bundle: (b: string, app: string, exp: string, out: string, only: Record<string, boolean>) => { output: { file: string } };
  };
  const out = path.join(dir, 'probe.js');
  const { output, ...input } = cfg.bundle('espruino-pico', 'firmware/app/profile-probe.ts', 'main', out, only) as never as { output: object };
  const b = await rollup({ ...(input as object), onwarn: () => {} });
  try {
    await b.write(output);
  } finally {
    await b.close();
  }
  return fs.readFileSync(out, 'utf8');
}

describe('build profiles: a call into what is not built returns its Winsock code (virtual Pico, W5500 model)', function () {
  this.timeout(300000);
  let dir = '';
  before(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'profile-')); });
  after(() => { if (dir) fs.rmSync(dir, { recursive: true, force: true }); });

  const calls = (console: string[]): string[] => console.filter((l) => /^[a-z]+ -?\d+ \d+$/.test(l));

  it('without datagrams, messages, WSAEventSelect, SO_KEEPALIVE and TCP_NODELAY: WSAESOCKTNOSUPPORT, WSAEOPNOTSUPP, WSAENOPROTOOPT; streams and SO_LINGER unchanged', async () => {
    const code = await build({ WITH_DATAGRAM: false, WITH_SEQPACKET: false, WITH_EVENT_SELECT: false, WITH_KEEPALIVE: false, WITH_NODELAY: false }, dir);
    const r = runFigures(code, 'espruino-pico');
    assert.deepEqual(r.errors, []);
    assert.deepEqual(calls(r.console), [
      'dgram -1 10044', 'seqpacket -1 10044', 'stream 1 10044', 'keepalive -1 10042', 'nodelay -1 10042', 'linger 0 10042',
      'eventselect -1 10045', 'enumevents -1 10045',
      'asyncselect 0 10045', 'closesocket 0 10045',
    ]);
  });

  it('with them: the same calls succeed', async () => {
    const code = await build({ WITH_DATAGRAM: true, WITH_SEQPACKET: true, WITH_EVENT_SELECT: true, WITH_KEEPALIVE: true, WITH_NODELAY: true }, dir);
    const r = runFigures(code, 'espruino-pico');
    assert.deepEqual(r.errors, []);
    assert.deepEqual(calls(r.console), [
      'dgram 1 0', 'seqpacket 2 0', 'stream 3 0', 'keepalive 0 0', 'nodelay 0 0', 'linger 0 0', 'eventselect 0 0', 'enumevents 0 0', 'asyncselect 0 0', 'closesocket 0 0',
    ]);
  });
});
