import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { execFileSync } from 'node:child_process';
import { Enc28j60Thread } from '../../sim/enc28j60/worker-client';
import { netnsUnavailable } from '../../sim/net/netns';
import { Reg } from '../../sim/enc28j60/registers';
import { CHIP_MAC, EncSpi, RXST } from './rig';
import { arp, etherType, ipText, macText } from './frames';

describe('ENC28J60 worker runner with the kernel on a TAP wire', function () {
  this.timeout(120000);

  it('receives the kernel’s ARP reply while this thread is blocked; faults and trace go through the same channel', async function () {
    const why = netnsUnavailable() || (fs.existsSync('/usr/bin/python3') ? undefined : '/usr/bin/python3 is missing');
    if (why) {
      if (process.env.CI === 'true') throw new Error(`kernel peer unavailable in CI: ${why}`);
      console.warn(`    SKIPPED: ${why}`);
      this.skip();
    }
    const chip = await Enc28j60Thread.start({ prefix: 'encmw', hostAddress: '10.78.0.1/24', model: { trace: true } });
    const host = chip.host();
    try {
      assert.match(host.ns, /^encmw-\d+-0$/);
      assert.equal(host.hostIp, '10.78.0.1');
      const spi = new EncSpi(chip.exchange);
      spi.init();
      assert.equal(chip.intn, true);
      spi.send(arp(1, CHIP_MAC, '10.78.0.2', [0, 0, 0, 0, 0, 0], '10.78.0.1'));
      // block this thread: only the worker can take the reply in
      const end = Date.now() + 1500;
      while (Date.now() < end) { /* busy wait, as a blocking call on a board */ }
      assert.ok(spi.rcr(Reg.EPKTCNT) >= 1);
      assert.equal(chip.intn, false);
      const r = spi.take(RXST);
      assert.equal(etherType(r.frame), 0x0806);
      assert.equal(r.frame[21], 2);
      assert.equal(macText(r.frame, 6), host.hostMac);
      assert.equal(ipText(r.frame, 28), '10.78.0.1');
      chip.fault('link', false);
      assert.equal(spi.phyRead(0x11) & 0x0400, 0);
      const t = chip.trace();
      assert.equal(t.counters.txFrames, 1);
      assert.equal(t.counters.rxFrames, 1);
      assert.equal(Object.values(t.driverFaults).reduce((a, b) => a + b, 0), 0);
      assert.ok(chip.traceLines().some((l) => l.includes('"ev":"link"')));
    } finally {
      await chip.close();
    }
    assert.ok(!execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }).includes(host.ns), 'namespace removed');
  });
});
