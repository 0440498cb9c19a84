/**
 * startNetwork builds the stack for the NIC the board names: the W5500 with the offload transport, the
 * ENC28J60 and the W5500 in MACRAW mode with the software TCP/IP transport.
 */
import assert from 'node:assert/strict';
import { VirtualClock } from '../../sim/net/virtual-clock';
import { NodeSpiDevice } from '../../hal/node/spi';
import { startNetwork } from '../../firmware/runtime';
import { NetErr } from '../../firmware/nic';
import type { NicConfig } from '../../firmware/nic';
import type { BoardHal } from '../../firmware/app/app';
import { BENCH_NETWORK } from '../../firmware/app/bench-network';
import { W5500Err } from '../../hal/w5500/errors';
import { W5500Model } from '../../sim/w5500/model';
import { VirtualNet } from '../../sim/w5500/virtual-net';
import { Enc28j60World } from '../../sim/software/enc28j60-world';
import { MacrawWorld } from '../../sim/software/w5500-macraw-world';
import { SoftwareTransport } from '../../firmware/transport/software/software';
import { FrameErr } from '../../hal/frame-driver';
import { defaultTcpConfig } from '../../firmware/net/tcp/config';

function hal(nic: NicConfig, exchange: (mosi: Uint8Array) => Uint8Array, clock = new VirtualClock()): BoardHal {
  return { board: 'test', nic, spi: new NodeSpiDevice(exchange), int: undefined, rst: undefined, clock, log: () => undefined };
}

describe('startNetwork: the board picks the NIC', () => {
  it("'w5500-macraw' with no chip on the bus: the driver's reason, no api", () => {
    const net = startNetwork(hal({ name: 'w5500-macraw' }, (mosi) => new Uint8Array(mosi.length).fill(0xff)), BENCH_NETWORK);
    assert.equal(net.error, FrameErr.NO_CHIP);
    assert.equal(net.reason, 'W5500 MACRAW bring-up failed: no chip answers: MISO reads 0xFF (no chip, no power, or wrong CS pin)');
    assert.equal(net.nicName, 'W5500 MACRAW');
    assert.equal(net.api, null);
    assert.equal(net.transport, null);
  });

  it("'w5500-macraw' with the chip: socket 0 in MACRAW under the software transport, holding nothing, with its caps", () => {
    const w = new MacrawWorld();
    const net = startNetwork(w.hal({ name: 'w5500-macraw', multicast: false }), BENCH_NETWORK);
    try {
      assert.equal(net.error, 0);
      assert.equal(net.reason, '');
      assert.equal(net.nicName, 'W5500 MACRAW');
      assert.ok(net.transport instanceof SoftwareTransport);
      assert.equal(net.transport.held(), 0);
      assert.deepEqual(net.transport.caps, { canSendReset: true, holdsAfterClose: true, maxDatagram: 1472 });
      // Sn_MR of socket 0: MACRAW | MFEN | MMB | MIP6B; Sn_SR SOCK_MACRAW
      assert.deepEqual(Array.from(w.model.exchange(new Uint8Array([0, 0, 0x08, 0, 0, 0, 0])).subarray(3)), [0xb4, 0, 0, 0x42]);
      // the gratuitous ARP for 192.168.1.20 went out through socket 0
      w.run(5);
      assert.equal(w.pipe.counters.a.sent, 1);
      assert.equal(w.net.counters.fromChip, 1);
    } finally {
      net.stop();
    }
  });

  it("'enc28j60' with no chip on the bus: the driver's reason, no api", () => {
    const net = startNetwork(hal({ name: 'enc28j60' }, (mosi) => new Uint8Array(mosi.length).fill(0xff)), BENCH_NETWORK);
    assert.equal(net.error, FrameErr.NO_CHIP);
    assert.equal(net.reason, 'ENC28J60 bring-up failed: no chip answers: MISO reads 0xFF (no chip, no power, or wrong CS pin)');
    assert.equal(net.nicName, 'ENC28J60');
    assert.equal(net.api, null);
    assert.equal(net.transport, null);
  });

  it("'enc28j60' with the chip: the software transport under the socket layer, holding nothing, with its caps", () => {
    const w = new Enc28j60World();
    const net = startNetwork(w.hal(), BENCH_NETWORK);
    try {
      assert.equal(net.error, 0);
      assert.equal(net.reason, '');
      assert.equal(net.nicName, 'ENC28J60');
      assert.ok(net.api);
      assert.ok(net.transport instanceof SoftwareTransport);
      assert.equal(net.transport.held(), 0);
      assert.equal(net.transport.localIp(), 0xc0a80114);
      assert.deepEqual(net.transport.caps, { canSendReset: true, holdsAfterClose: true, maxDatagram: 1472 });
      assert.equal(net.transport.maxEndpoints(), 16);
      assert.equal(net.transport.available(), 8, 'the TCP connection table (maxConns 8) bounds it, not the 16 ids');
      // the gratuitous ARP for 192.168.1.20 went out through the chip at bring-up
      w.run(5);
      assert.equal(w.pipe.counters.a.sent, 1);
    } finally {
      net.stop();
    }
  });

  it("'enc28j60' with the board's memory sizes: the frame queue, each connection's queues and the receive buffer follow them, the MSS is half a queue; an application's own TCP settings win", () => {
    const ringOf = (t: SoftwareTransport): number => (t as unknown as { tx: { ring: Uint8Array } }).tx.ring.length;
    const w = new Enc28j60World();
    const net = startNetwork(w.hal({ name: 'enc28j60', txQueueBytes: 1200, tcpBufBytes: 1024, maxFrameBytes: 618 }), BENCH_NETWORK);
    try {
      const t = net.transport as SoftwareTransport;
      const cfg = t.stackStats().tcp.cfg;
      assert.deepEqual([cfg.sndBuf, cfg.rcvBuf, cfg.mss, cfg.maxConns], [1024, 1024, 512, 8]);
      assert.equal(ringOf(t), 1200);
      // the driver's one receive buffer: opcode, record header, the longest frame taken, CRC, pad byte
      assert.equal((t as unknown as { c: { drv: { rx: { buf: Uint8Array } } } }).c.drv.rx.buf.length, 618 + 12);
      // TCP builds its segments in the interface's transmit frame: one frame buffer for both
      assert.equal(t.stackStats().tcp.frame, t.stackStats().nif.tx);
    } finally {
      net.stop();
    }
    const w2 = new Enc28j60World();
    const own = defaultTcpConfig();
    own.rcvBuf = 4096;
    const net2 = startNetwork(w2.hal({ name: 'enc28j60', tcpBufBytes: 1024 }), Object.assign({}, BENCH_NETWORK, { tcp: own }));
    try {
      const t = net2.transport as SoftwareTransport;
      assert.equal(t.stackStats().tcp.cfg, own);
      assert.equal(ringOf(t), 3072, 'the default: two full frames');
    } finally {
      net2.stop();
    }
  });

  it('a subnet that is not a dotted IPv4 address fails BAD_ADDRESS before bring-up', () => {
    let frames = 0;
    const opts = Object.assign({}, BENCH_NETWORK, { subnet: '255.255.255' });
    const net = startNetwork(hal({ name: 'w5500', hardResetStaleSockets: false }, (mosi) => { frames++; return new Uint8Array(mosi.length); }), opts);
    assert.equal(net.error, NetErr.BAD_ADDRESS);
    assert.equal(net.reason, 'ip, subnet and gateway must be dotted IPv4 addresses');
    assert.equal(net.api, null);
    assert.equal(frames, 0);
  });

  it("'w5500' with no chip on the bus: the driver's reason, no api", () => {
    const net = startNetwork(hal({ name: 'w5500', hardResetStaleSockets: false }, (mosi) => new Uint8Array(mosi.length).fill(0xff)), BENCH_NETWORK);
    assert.equal(net.error, W5500Err.NO_CHIP);
    assert.equal(net.reason, 'W5500 bring-up failed: no W5500 answers: MISO reads all 0xFF (no chip, no power, or wrong CS pin)');
    assert.equal(net.api, null);
    assert.equal(net.transport, null);
  });

  it("'w5500' with the chip: a socket layer over a transport that holds nothing yet", () => {
    const clock = new VirtualClock();
    const model = new W5500Model({ net: new VirtualNet({ now: () => clock.now() }), now: () => clock.now() });
    const net = startNetwork(hal({ name: 'w5500', hardResetStaleSockets: false }, (mosi) => model.exchange(mosi), clock), BENCH_NETWORK);
    try {
      assert.equal(net.error, 0);
      assert.equal(net.reason, '');
      assert.equal(net.nicName, 'W5500');
      assert.equal(net.api!.openSockets(), 0);
      assert.equal(net.transport!.held(), 0);
      assert.equal(net.transport!.localIp(), 0xc0a80114);
    } finally {
      net.stop();
      model.close();
    }
  });
});
