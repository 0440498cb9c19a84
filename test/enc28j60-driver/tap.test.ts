/**
 * The ENC28J60 driver with the Linux kernel on the wire: driver → SPI → chip model → TAP device in a network
 * namespace this test creates (prefix "encd", private 10.78.0.0/24, removed afterwards, also on failure). The
 * frames are built here until the stack lands: an ARP request the kernel answers, then an ICMP echo request it
 * answers; the model's pcap of it is read back with tcpdump -r. Real time. Needs root, iproute2, python3, tcpdump
 * (tools/install-system-deps.sh); with CI=true a missing piece fails the test, elsewhere it skips loudly.
 */
import { runFrameDriver } from '../../sim/net/run-alone';
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RealClock } from '../../hal/node/real-clock';
import { NodeSpiDevice } from '../../hal/node/spi';
import { NodePin } from '../../hal/node/pins';
import { Enc28j60 } from '../../hal/enc28j60/driver';
import { FrameErr } from '../../hal/frame-driver';
import { createTapChip } from '../../sim/enc28j60/tap-chip';
import type { TapChip } from '../../sim/enc28j60/tap-chip';
import { netnsUnavailable } from '../../sim/net/netns';
import { CHIP_MAC } from '../../sim/enc28j60/driver-rig';

const HOST_IP = [10, 78, 0, 1];
const CHIP_IP = [10, 78, 0, 2];
const BROADCAST = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff];

function unavailable(): string | undefined {
  const ns = netnsUnavailable();
  if (ns) return ns;
  for (const tool of ['tcpdump', '/usr/bin/python3']) {
    try {
      execFileSync(tool.startsWith('/') ? tool : 'sh', tool.startsWith('/') ? ['-c', 'pass'] : ['-c', 'command -v ' + tool], { stdio: 'ignore' });
    } catch {
      return tool + ' missing (tools/install-system-deps.sh installs it)';
    }
  }
  return undefined;
}

/** RFC 1071 checksum over `b[from..to)` */
function checksum(b: Uint8Array, from: number, to: number): number {
  let s = 0;
  for (let i = from; i < to; i += 2) s += (b[i] << 8) | (i + 1 < to ? b[i + 1] : 0);
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return ~s & 0xffff;
}

function arp(op: number, sha: ArrayLike<number>, spa: number[], tha: ArrayLike<number>, tpa: number[], dst: ArrayLike<number>): Uint8Array {
  const f = new Uint8Array(42);
  f.set(dst, 0);
  f.set(CHIP_MAC, 6);
  f.set([0x08, 0x06, 0x00, 0x01, 0x08, 0x00, 6, 4, 0, op], 12);
  f.set(sha, 22);
  f.set(spa, 28);
  f.set(tha, 32);
  f.set(tpa, 38);
  return f;
}

function echoRequest(dstMac: ArrayLike<number>, id: number, seq: number, payload: Uint8Array): Uint8Array {
  const ipLen = 20 + 8 + payload.length;
  const f = new Uint8Array(14 + ipLen);
  f.set(dstMac, 0);
  f.set(CHIP_MAC, 6);
  f.set([0x08, 0x00], 12);
  f.set([0x45, 0, ipLen >> 8, ipLen & 0xff, 0x12, 0x34, 0x40, 0, 64, 1, 0, 0], 14);
  f.set(CHIP_IP, 26);
  f.set(HOST_IP, 30);
  const c = checksum(f, 14, 34);
  f[24] = c >> 8;
  f[25] = c & 0xff;
  f.set([8, 0, 0, 0, id >> 8, id & 0xff, seq >> 8, seq & 0xff], 34);
  f.set(payload, 42);
  const ic = checksum(f, 34, f.length);
  f[36] = ic >> 8;
  f[37] = ic & 0xff;
  return f;
}

function same(a: Uint8Array, at: number, b: ArrayLike<number>): boolean {
  for (let i = 0; i < b.length; i++) if (a[at + i] !== b[i]) return false;
  return true;
}

function until(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  return new Promise((resolve) => {
    const tick = () => {
      if (cond()) resolve(true);
      else if (Date.now() > end) resolve(false);
      else setTimeout(tick, 2);
    };
    tick();
  });
}

describe('ENC28J60 driver through TAP: the Linux kernel answers ARP and ICMP echo', function () {
  this.timeout(30000);
  const why = unavailable();
  let tc: TapChip | undefined;
  let dir = '';

  before(function () {
    if (!why) return;
    if (process.env.CI === 'true') throw new Error('CI: the kernel peer is required but ' + why);
    console.warn(`      SKIPPED: ENC28J60 TAP tests need a network namespace: ${why}`);
    this.skip();
  });

  after(async () => {
    if (tc) await tc.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('sends an ARP request and an ICMP echo request through the driver; the kernel answers both; tcpdump -r reads the pcap', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'encd-'));
    const pcapPath = path.join(dir, 'enc28j60-tap.pcap');
    tc = await createTapChip({ prefix: 'encd', hostAddress: '10.78.0.1/24', ifname: 'encd0', pcapPath });
    const chip = tc.chip;
    const clock = new RealClock();
    const int = new NodePin(clock, chip.intn);
    chip.onIntn((high) => int.write(high));
    const t = tc;
    const driver = new Enc28j60({ spi: new NodeSpiDevice((mosi) => t.exchange(mosi)), clock, int, mac: CHIP_MAC });
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
        const copy = new Uint8Array(f.subarray(0, len));
        frames.push(copy);
        // the kernel may ask who has our address before answering the echo
        if (copy[12] === 0x08 && copy[13] === 0x06 && copy[21] === 1 && same(copy, 38, CHIP_IP)) {
          push(arp(2, CHIP_MAC, CHIP_IP, copy.subarray(22, 28), Array.from(copy.subarray(28, 32)), copy.subarray(6, 12)));
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

      push(arp(1, CHIP_MAC, CHIP_IP, [0, 0, 0, 0, 0, 0], HOST_IP, BROADCAST));
      const isReply = (f: Uint8Array) => f[12] === 0x08 && f[13] === 0x06 && f[21] === 2 && same(f, 28, HOST_IP) && same(f, 32, CHIP_MAC);
      assert.ok(await until(() => frames.some(isReply), 5000), 'ARP reply from the kernel');
      const reply = frames.find(isReply) as Uint8Array;
      const hostMac = Array.from(reply.subarray(22, 28));
      assert.deepEqual(hostMac.map((x) => x.toString(16).padStart(2, '0')).join(':'), t.tap.hostMac());
      assert.ok(same(reply, 0, CHIP_MAC), 'unicast to us');
      assert.equal(reply.length, 60, 'padded to the minimum frame on the wire, CRC removed');

      const payload = new Uint8Array(56);
      for (let i = 0; i < payload.length; i++) payload[i] = (i * 3 + 1) & 0xff;
      push(echoRequest(hostMac, 0x4e43, 1, payload));
      const isEcho = (f: Uint8Array) => f[12] === 0x08 && f[13] === 0x00 && f[23] === 1 && f[34] === 0 && same(f, 26, HOST_IP) && same(f, 30, CHIP_IP);
      assert.ok(await until(() => frames.some(isEcho), 5000), 'ICMP echo reply from the kernel');
      const echo = frames.find(isEcho) as Uint8Array;
      assert.equal(checksum(echo, 14, 34), 0, 'IPv4 header checksum');
      const ipLen = (echo[16] << 8) | echo[17];
      assert.equal(ipLen, 20 + 8 + 56);
      assert.equal(checksum(echo, 34, 14 + ipLen), 0, 'ICMP checksum');
      assert.deepEqual(Array.from(echo.subarray(38, 42)), [0x4e, 0x43, 0, 1], 'identifier and sequence');
      assert.deepEqual(echo.subarray(42, 42 + 56), payload);
      assert.ok(results.every((r) => r === FrameErr.OK), 'every frame sent: ' + results.join(','));
      assert.equal(chip.trace.faultCount(), 0);
    } finally {
      loop.stop();
      driver.stop();
      await t.close();
      tc = undefined;
    }
    const out = execFileSync('tcpdump', ['-n', '-r', pcapPath], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    assert.match(out, /ARP, Request who-has 10\.78\.0\.1 tell 10\.78\.0\.2/);
    assert.match(out, /ARP, Reply 10\.78\.0\.1 is-at [0-9a-f:]{17}/);
    assert.match(out, /IP 10\.78\.0\.2 > 10\.78\.0\.1: ICMP echo request, id 20035, seq 1, length 64/);
    assert.match(out, /IP 10\.78\.0\.1 > 10\.78\.0\.2: ICMP echo reply, id 20035, seq 1, length 64/);
  });
});
