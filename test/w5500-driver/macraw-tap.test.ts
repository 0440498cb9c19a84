/**
 * The W5500 MACRAW driver with the Linux kernel on the wire: driver → SPI → W5500 model (socket 0 in MACRAW, its
 * frame-level network side) → TAP device in a network namespace this test creates (prefix "w5d", private
 * 10.80.0.0/24, removed afterwards, also on failure). An ARP request the kernel answers, then an ICMP echo request
 * it answers, read back from the pcap with tcpdump -r. Real time. Needs root, iproute2, python3, tcpdump
 * (tools/install-system-deps.sh); with CI=true a missing piece fails the test, elsewhere it skips loudly.
 */
import { runFrameDriver } from '../../sim/net/run-alone';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RealClock } from '../../hal/node/real-clock';
import { NodeSpiDevice } from '../../hal/node/spi';
import { NodePin } from '../../hal/node/pins';
import { W5500Macraw } from '../../hal/w5500/macraw';
import { FrameCount, FrameErr } from '../../hal/frame-driver';
import { createW5500TapChip, type W5500TapChip } from '../../sim/w5500/tap-chip';
import { Enc28j60Thread } from '../../sim/enc28j60/worker-client';
import { tapUnavailable } from '../../sim/net/tap-wire';
import { MACRAW_MAC } from '../../sim/w5500/macraw-rig';
import { until } from '../real-time';
import { arp, etherType, icmpEcho, inetChecksum, ipText, macText } from '../enc28j60-model/frames';

const HOST_IP = '10.80.0.1';
const CHIP_IP = '10.80.0.2';

function unavailable(): string | undefined {
  const why = tapUnavailable();
  if (why) return why;
  try {
    execFileSync('tcpdump', ['--version'], { stdio: 'ignore' });
  } catch {
    return 'tcpdump is missing';
  }
  return undefined;
}

describe('W5500 MACRAW driver through TAP: the Linux kernel answers ARP and ICMP echo', function () {
  this.timeout(30000);
  let tc: W5500TapChip | undefined;
  let dir = '';

  before(function () {
    const why = unavailable();
    if (!why) return;
    if (process.env.CI === 'true') throw new Error('CI: the kernel peer is required but ' + why);
    console.warn(`      SKIPPED: W5500 MACRAW TAP test needs a network namespace: ${why}`);
    this.skip();
  });

  after(async () => {
    if (tc) await tc.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('ARP request and ICMP echo request out through socket 0; both answers come back through the RX ring; tcpdump -r reads the pcap', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'w5d-'));
    const pcapPath = path.join(dir, 'w5500-macraw-tap.pcap');
    tc = await createW5500TapChip({ prefix: 'w5d', hostAddress: HOST_IP + '/24', ifname: 'w5d0', pcapPath });
    const t = tc;
    const name = t.ns.name;
    const clock = new RealClock();
    const int = new NodePin(clock, t.chip.intn);
    t.chip.onIntn((high) => int.write(high));
    const driver = new W5500Macraw({ spi: new NodeSpiDevice((mosi) => t.exchange(mosi)), clock, int, mac: new Uint8Array(MACRAW_MAC) });
    const loop = runFrameDriver(clock, driver);
    const frames: Uint8Array[] = [];
    const results: number[] = [];
    const queue: Uint8Array[] = [];
    const push = (f: Uint8Array) => {
      if (driver.canSend()) assert.equal(driver.send(f, f.length), FrameErr.OK);
      else queue.push(f);
    };
    driver.setHandler({
      frame(f: Uint8Array, len: number) {
        const copy = f.slice(0, len);
        frames.push(copy);
        // the kernel may ask who has our address before answering the echo
        if (etherType(copy) === 0x0806 && copy[21] === 1 && ipText(copy, 38) === CHIP_IP) {
          push(arp(2, MACRAW_MAC, CHIP_IP, Array.from(copy.subarray(22, 28)), ipText(copy, 28)));
        }
      },
      sent(result: number) {
        results.push(result);
        const next = queue.shift();
        if (next) assert.equal(driver.send(next, next.length), FrameErr.OK);
      },
      link() { /* the TAP link stays up */ },
      failure(err: number) { results.push(err); },
    });
    try {
      assert.equal(driver.begin(), FrameErr.OK);
      assert.equal(driver.isLinkUp(), true);
      push(arp(1, MACRAW_MAC, CHIP_IP, [0, 0, 0, 0, 0, 0], HOST_IP));
      const isReply = (f: Uint8Array) => etherType(f) === 0x0806 && f[21] === 2 && ipText(f, 28) === HOST_IP;
      assert.ok(await until(() => frames.some(isReply), 5000), 'ARP reply from the kernel');
      const reply = frames.find(isReply) as Uint8Array;
      const hostMac = Array.from(reply.subarray(22, 28));
      assert.equal(macText(hostMac), t.tap.hostMac());
      assert.equal(macText(reply), macText(MACRAW_MAC), 'unicast to us');
      assert.equal(reply.length, 60, 'padded to the minimum frame on the wire');

      const payload: number[] = [];
      for (let i = 0; i < 56; i++) payload.push((i * 3 + 1) & 0xff);
      push(icmpEcho(hostMac, MACRAW_MAC, CHIP_IP, HOST_IP, 0x5735, 1, payload));
      const isEcho = (f: Uint8Array) => etherType(f) === 0x0800 && f[23] === 1 && f[34] === 0 && ipText(f, 26) === HOST_IP;
      assert.ok(await until(() => frames.some(isEcho), 5000), 'ICMP echo reply from the kernel');
      const echo = frames.find(isEcho) as Uint8Array;
      assert.equal(inetChecksum(echo, 14, 34), 0, 'IPv4 header checksum');
      assert.equal((echo[16] << 8) | echo[17], 20 + 8 + 56);
      assert.equal(inetChecksum(echo, 34, 14 + 84), 0, 'ICMP checksum');
      assert.deepEqual(Array.from(echo.subarray(38, 42)), [0x57, 0x35, 0, 1], 'identifier and sequence');
      assert.deepEqual(Array.from(echo.subarray(42, 42 + 56)), payload);
      assert.ok(results.every((r) => r === FrameErr.OK), 'every frame sent: ' + results.join(','));
      assert.equal(driver.counters[FrameCount.RX_BAD_POINTER], 0);
      assert.equal(t.net.counters.droppedQueueFull, 0);
    } finally {
      loop.stop();
      driver.stop();
      clock.clearAll();
      await t.close();
      tc = undefined;
    }
    assert.ok(!execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }).includes(name), 'namespace removed');
    const out = execFileSync('tcpdump', ['-n', '-r', pcapPath], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    assert.match(out, /ARP, Request who-has 10\.80\.0\.1 tell 10\.80\.0\.2/);
    assert.match(out, /ARP, Reply 10\.80\.0\.1 is-at [0-9a-f:]{17}/);
    assert.match(out, /IP 10\.80\.0\.2 > 10\.80\.0\.1: ICMP echo request, id 22325, seq 1, length 64/);
    assert.match(out, /IP 10\.80\.0\.1 > 10\.80\.0\.2: ICMP echo reply, id 22325, seq 1, length 64/);
  });

  it('in its own thread (the TAP chip thread with the W5500 on the wire): the kernel answers ARP while the firmware thread blocks', async () => {
    const clock = new RealClock();
    const thread = await Enc28j60Thread.start({ clock, prefix: 'w5t', hostAddress: HOST_IP + '/24', ifname: 'w5t0', w5500: {} });
    const name = thread.host().ns;
    const driver = new W5500Macraw({ spi: new NodeSpiDevice(thread.exchange), clock, int: thread.intPin, mac: new Uint8Array(MACRAW_MAC) });
    const frames: Uint8Array[] = [];
    driver.setHandler({
      frame(f: Uint8Array, len: number) { frames.push(f.slice(0, len)); },
      sent() { /* one frame only */ },
      link() { /* the TAP link stays up */ },
      failure(err: number) { frames.push(new Uint8Array([err & 0xff])); },
    });
    try {
      assert.equal(driver.begin(), FrameErr.OK);
      assert.equal(driver.send(arp(1, MACRAW_MAC, CHIP_IP, [0, 0, 0, 0, 0, 0], HOST_IP), 42), FrameErr.OK);
      // the firmware thread blocks, as in a blocking call, and pumps the driver itself; the chip thread takes the
      // kernel's answer into its ring meanwhile
      const t0 = Date.now();
      while (frames.length === 0 && Date.now() - t0 < 5000) driver.service(clock.now());
      assert.ok(frames.length >= 1, 'the ARP reply came through service() while the event loop did not turn');
      assert.equal(etherType(frames[0]), 0x0806);
      assert.equal(frames[0][21], 2);
      assert.equal(ipText(frames[0], 28), HOST_IP);
      assert.equal(macText(frames[0], 22), thread.host().hostMac);
    } finally {
      driver.stop();
      clock.clearAll();
      await thread.close();
    }
    assert.ok(!execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }).includes(name), 'namespace removed');
  });
});
