/**
 * The software stack's ARP probe (RFC 5227 §2.1.1), what the DHCP client's DECLINE rests on, with the
 * Linux kernel on the wire: the interface (firmware/net/iface.ts) sends its frames into a TAP device
 * in a namespace this test makes (prefix "dprb", private 10.79.0.0/24, removed afterwards). The kernel
 * answers a probe for its own address, so that address is in conflict; nobody answers for a free one.
 * Real time; with CI=true a missing namespace fails the test, elsewhere it skips loudly.
 */
import { strict as assert } from 'node:assert';
import { NetIf } from '../../firmware/net/iface';
import { NetNamespace } from '../../sim/net/netns';
import { tapUnavailable } from '../../sim/net/tap-wire';
import { TapPort } from '../../sim/net/tap';
import { needOrSkip } from './dnsmasq';

const TAKEN = 0x0a4f0001; // 10.79.0.1, the kernel's
const FREE = 0x0a4f0063; // 10.79.0.99

describe('ARP probe of the software stack against the kernel (TAP, namespace)', function () {
  this.timeout(30000);
  let ns: NetNamespace | undefined;
  let tap: TapPort | undefined;
  const nif = new NetIf();
  const t0 = Date.now();
  const frames: Uint8Array[] = [];

  before(async function () {
    needOrSkip(this, tapUnavailable());
    ns = NetNamespace.create('dprb');
    tap = await TapPort.open({ ns, name: 'dprb0', address: '10.79.0.1/24' });
    nif.setMac(new Uint8Array([0x02, 0x00, 0x00, 0x79, 0x00, 0x02]));
    tap.setReceiver((f) => { nif.input(f, f.length, Date.now() - t0); });
    nif.up({ sendFrame: (b, off, len) => { const f = b.slice(off, off + len); frames.push(f); tap!.send(f); } }, Date.now() - t0);
  });
  after(async () => {
    if (tap) await tap.close();
    if (ns) ns.close();
  });

  async function settle(ms: number): Promise<void> {
    await new Promise((r) => setTimeout(r, ms));
  }

  it('the probe is an ARP request from 0.0.0.0; the kernel answers for its own address: a conflict', async () => {
    assert.equal(nif.probe(TAKEN), 0);
    const f = frames[frames.length - 1];
    assert.deepEqual(Array.from(f), [
      0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0x00, 0x00, 0x79, 0x00, 0x02, 0x08, 0x06,
      0x00, 0x01, 0x08, 0x00, 6, 4, 0x00, 0x01, 0x02, 0x00, 0x00, 0x79, 0x00, 0x02, 0, 0, 0, 0,
      0, 0, 0, 0, 0, 0, 10, 79, 0, 1,
    ]);
    for (let i = 0; i < 50 && !nif.conflict(TAKEN); i++) await settle(20);
    assert.equal(nif.conflict(TAKEN), true);
    assert.equal(nif.conflict(FREE), false);
  });

  it('nobody answers for a free address: no conflict, and a new probe forgets the old one', async () => {
    assert.equal(nif.probe(FREE), 0);
    assert.equal(nif.conflict(TAKEN), false);
    await settle(500);
    assert.equal(nif.probe(FREE), 0);
    await settle(500);
    assert.equal(nif.conflict(FREE), false);
    assert.equal(nif.probe(0), -3);
  });
});
