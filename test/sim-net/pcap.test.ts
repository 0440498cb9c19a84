import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PcapWriter } from '../../sim/net/pcap';

function hasTcpdump(): boolean {
  try {
    execFileSync('tcpdump', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** ARP request: who has 10.9.8.2, tell 10.9.8.1 (02:00:00:00:00:01), padded to 60 bytes */
const ARP = new Uint8Array([
  0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 1, 0x08, 0x06,
  0, 1, 8, 0, 6, 4, 0, 1, 2, 0, 0, 0, 0, 1, 10, 9, 8, 1, 0, 0, 0, 0, 0, 0, 10, 9, 8, 2,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
]);

describe('pcap writer (sim/net/pcap.ts)', () => {
  it('global header and record header byte for byte', () => {
    const p = new PcapWriter(undefined, 1000);
    p.write(2.5, ARP);
    const b = p.bytes();
    assert.deepEqual(Array.from(b.subarray(0, 24)), [
      0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 1, 0, 0, 0,
    ]);
    // 1002.5 ms = 1 s + 2500 µs; 60 bytes captured of 60
    assert.deepEqual(Array.from(b.subarray(24, 40)), [1, 0, 0, 0, 0xc4, 0x09, 0, 0, 60, 0, 0, 0, 60, 0, 0, 0]);
    assert.deepEqual(b.subarray(40), ARP);
    assert.equal(p.frames, 1);
  });

  it('a file capture opens in tcpdump -r', function () {
    if (!hasTcpdump()) {
      if (process.env.CI === 'true') assert.fail('tcpdump is missing (tools/install-system-deps.sh installs it)');
      console.warn('    SKIPPED: tcpdump is not installed (tools/install-system-deps.sh installs it)');
      this.skip();
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'enc-model-pcap-'));
    try {
      const file = path.join(dir, 'arp.pcap');
      const p = new PcapWriter(file);
      p.write(0, ARP);
      p.write(1, ARP);
      p.close();
      const out = execFileSync('tcpdump', ['-r', file, '-n', '-e', '-tt'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      const lines = out.trim().split('\n');
      assert.equal(lines.length, 2);
      assert.match(lines[0], /^0\.000000 02:00:00:00:00:01 > ff:ff:ff:ff:ff:ff, ethertype ARP \(0x0806\), length 60: Request who-has 10\.9\.8\.2 tell 10\.9\.8\.1, length 46$/);
      assert.match(lines[1], /^0\.001000 /);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
