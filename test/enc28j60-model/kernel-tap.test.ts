/**
 * The ENC28J60 model with the Linux kernel on its wire: a TAP device in a namespace this test makes. Frames are
 * built here and go through the model's transmitter; the kernel's answers come back through its receive ring.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createTapChip, type TapChip } from '../../sim/enc28j60/tap-chip';
import { netnsUnavailable } from '../../sim/net/netns';
import { Reg } from '../../sim/enc28j60/registers';
import { CHIP_MAC, EncSpi, RXST } from './rig';
import { arp, etherType, icmpEcho, inetChecksum, ipText, macBytes, macText } from './frames';

const CHIP_IP = '10.77.0.2';

function unavailable(): string | undefined {
  const why = netnsUnavailable();
  if (why) return why;
  if (!fs.existsSync('/usr/bin/python3')) return '/usr/bin/python3 is missing';
  if (!fs.existsSync('/dev/net/tun')) return '/dev/net/tun is missing';
  try {
    execFileSync('tcpdump', ['--version'], { stdio: 'ignore' });
  } catch {
    return 'tcpdump is missing';
  }
  return undefined;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

describe('ENC28J60 model with the kernel on a TAP wire', function () {
  this.timeout(60000);
  let rig: TapChip | undefined;
  let spi: EncSpi;
  let dir: string;
  let next = RXST;
  /** frames the chip received, oldest first; ARP requests for our address are answered on the way */
  const got: Uint8Array[] = [];

  before(async function () {
    const why = unavailable();
    if (why) {
      if (process.env.CI === 'true') throw new Error(`kernel peer unavailable in CI: ${why} (tools/install-system-deps.sh, root)`);
      console.warn(`    SKIPPED: no kernel peer over TAP: ${why}`);
      this.skip();
    }
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'enc-model-tap-'));
    rig = await createTapChip({ prefix: 'encm', pcapPath: path.join(dir, 'wire.pcap'), model: { trace: true } });
    spi = new EncSpi(rig.exchange);
    spi.init();
  });

  after(async () => {
    if (rig) {
      const name = rig.ns.name;
      await rig.close();
      assert.ok(!execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }).includes(name), 'namespace removed');
    }
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  /** reads what the ring holds until `pred` matches a frame or `ms` pass */
  async function until(pred: (f: Uint8Array) => boolean, ms: number): Promise<Uint8Array> {
    const end = Date.now() + ms;
    for (;;) {
      while (spi.rcr(Reg.EPKTCNT) > 0) {
        const r = spi.take(next);
        next = r.next;
        assert.equal(r.status & 0x80, 0x80, 'received OK');
        const f = r.frame;
        got.push(f);
        if (etherType(f) === 0x0806 && f[21] === 1 && ipText(f, 38) === CHIP_IP) {
          spi.send(arp(2, CHIP_MAC, CHIP_IP, Array.from(f.subarray(22, 28)), ipText(f, 28)));
        }
        if (pred(f)) return f;
      }
      if (Date.now() > end) throw new Error(`no matching frame in ${ms} ms; got ${got.length} frames`);
      await sleep(2);
    }
  }

  it('the kernel answers an ARP request sent through the model', async () => {
    const r = rig!;
    spi.send(arp(1, CHIP_MAC, CHIP_IP, [0, 0, 0, 0, 0, 0], r.hostIp));
    const reply = await until((f) => etherType(f) === 0x0806 && f[21] === 2, 5000);
    const hostMac = r.tap.hostMac();
    assert.equal(macText(reply, 0), macText(CHIP_MAC));
    assert.equal(macText(reply, 6), hostMac);
    assert.equal(reply.length, 60); // 42 bytes padded on the wire
    assert.deepEqual(Array.from(reply.subarray(14, 22)), [0, 1, 8, 0, 6, 4, 0, 2]);
    assert.equal(macText(reply, 22), hostMac);
    assert.equal(ipText(reply, 28), r.hostIp);
    assert.equal(macText(reply, 32), macText(CHIP_MAC));
    assert.equal(ipText(reply, 38), CHIP_IP);
    assert.equal(r.chip.trace.faultCount(), 0);
  });

  it('the kernel answers an ICMP echo request sent through the model, byte for byte', async () => {
    const r = rig!;
    const hostMac = macBytes(r.tap.hostMac());
    const payload = Array.from(new TextEncoder().encode('enc28j60 model over TAP'));
    spi.send(icmpEcho(hostMac, CHIP_MAC, CHIP_IP, r.hostIp, 0x1234, 1, payload));
    const reply = await until((f) => etherType(f) === 0x0800 && f[23] === 1 && f[34] === 0, 5000);
    assert.equal(macText(reply, 0), macText(CHIP_MAC));
    assert.equal(ipText(reply, 26), r.hostIp);
    assert.equal(ipText(reply, 30), CHIP_IP);
    const ihl = (reply[14] & 0x0f) * 4;
    const total = (reply[16] << 8) | reply[17];
    assert.equal(total, 20 + 8 + payload.length);
    assert.equal(inetChecksum(reply, 14, 14 + ihl), 0, 'IPv4 header checksum');
    const icmp = reply.subarray(14 + ihl, 14 + total);
    assert.equal(inetChecksum(icmp), 0, 'ICMP checksum');
    assert.deepEqual(Array.from(icmp.subarray(0, 2)), [0, 0]); // echo reply, code 0
    assert.deepEqual(Array.from(icmp.subarray(4, 8)), [0x12, 0x34, 0x00, 0x01]);
    assert.deepEqual(Array.from(icmp.subarray(8)), payload);
    const c = r.chip.trace.counters;
    assert.ok(c.txFrames >= 2 && c.rxFrames >= 2);
    assert.equal(r.chip.trace.faultCount(), 0);
  });

  it('the pcap of the wire opens in tcpdump -r and shows both exchanges in order', async () => {
    const r = rig!;
    const file = r.pcap!.path!;
    r.pcap!.close();
    const out = execFileSync('tcpdump', ['-r', file, '-n'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const want = [
      `ARP, Request who-has ${r.hostIp} tell ${CHIP_IP}`,
      `ARP, Reply ${r.hostIp} is-at ${r.tap.hostMac()}`,
      `IP ${CHIP_IP} > ${r.hostIp}: ICMP echo request, id 4660, seq 1, length 31`,
      `IP ${r.hostIp} > ${CHIP_IP}: ICMP echo reply, id 4660, seq 1, length 31`,
    ];
    let at = 0;
    for (const w of want) {
      const i = out.indexOf(w, at);
      assert.ok(i >= 0, `tcpdump output lacks "${w}" after position ${at}:\n${out}`);
      at = i + w.length;
    }
  });
});
