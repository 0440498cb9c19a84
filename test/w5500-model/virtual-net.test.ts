import assert from 'node:assert/strict';
import { Rig, PEER_IP, CHIP_IP, round } from './rig';
import { SnReg, Sn_MR, Sn_SR, Sn_CR } from '../../hal/w5500/registers';

describe('W5500 model: virtual network', () => {
  it('a scripted echo peer: onData answers, every segment is logged with its virtual time', () => {
    const r = new Rig();
    r.setupCommon();
    const l = r.net.listen({ ip: PEER_IP, port: 7 });
    l.onAccept = (p) => { p.onData = (b) => p.send(b); };
    r.open(0, Sn_MR.TCP, 5000);
    r.setDest(0, PEER_IP, 7);
    r.cmd(0, Sn_CR.CONNECT);
    r.wait(1);
    r.send(0, 'echo me');
    r.wait(1);
    assert.equal(r.recvText(0), 'echo me');
    assert.deepEqual(r.net.wire.map((w) => [round(w.t), w.dir, w.what, w.n]), [
      [0.5, 'chip>peer', 'SYN', undefined],
      [1, 'peer>chip', 'SYN/ACK', undefined],
      [1.5, 'chip>peer', 'data', 7],
      [2, 'peer>chip', 'data', 7],
    ]);
  });

  it('per-peer latency stretches that peer’s round trips', () => {
    const r = new Rig();
    r.setupCommon();
    r.open(0, Sn_MR.TCP, 80);
    r.cmd(0, Sn_CR.LISTEN);
    const p = r.net.connect({ ip: PEER_IP, port: 40000 }, { ip: CHIP_IP, port: 80 });
    r.wait(1);
    p.latencyMs = 10;
    p.send('slow');
    r.wait(9.9);
    assert.equal(r.sreg16(0, SnReg.Sn_RX_RSR), 0);
    r.wait(0.1);
    assert.equal(r.sreg16(0, SnReg.Sn_RX_RSR), 4);
  });

  it('a refusing listener answers RST; take() empties what a peer received', () => {
    const r = new Rig();
    r.setupCommon();
    const l = r.net.listen({ ip: PEER_IP, port: 80 });
    l.refuse = true;
    r.open(0, Sn_MR.TCP, 5000);
    r.setDest(0, PEER_IP, 80);
    r.cmd(0, Sn_CR.CONNECT);
    r.wait(2);
    assert.equal(r.sr(0), Sn_SR.SOCK_CLOSED);
    assert.equal(l.accepted.length, 0);
    l.refuse = false;
    r.open(0, Sn_MR.TCP, 5000);
    r.cmd(0, Sn_CR.CONNECT);
    r.wait(2);
    r.send(0, 'ab');
    r.wait(2);
    r.send(0, 'cd');
    r.wait(2);
    const p = l.accepted[0];
    assert.equal(p.receivedBytes, 4);
    assert.equal(new TextDecoder().decode(p.take()), 'abcd');
    assert.equal(p.received.length, 0);
  });

  it('a peer FIN after its data: the chip reads all data, then sees CLOSE_WAIT', () => {
    const r = new Rig();
    r.setupCommon();
    r.open(0, Sn_MR.TCP, 80);
    r.cmd(0, Sn_CR.LISTEN);
    const p = r.net.connect({ ip: PEER_IP, port: 40000 }, { ip: CHIP_IP, port: 80 });
    p.send('request');
    p.fin();
    r.wait(2);
    assert.equal(r.sr(0), Sn_SR.SOCK_CLOSE_WAIT);
    assert.equal(r.recvText(0), 'request');
    assert.equal(p.state, 'FIN_WAIT');
    assert.equal(p.finDelivered, true);
  });

  it('several sockets listening on one port: each SYN goes to the one that has waited longest, then RST when none is left', () => {
    const r = new Rig();
    r.setupCommon();
    for (const sn of [2, 0, 1]) {
      r.open(sn, Sn_MR.TCP, 80);
      r.cmd(sn, Sn_CR.LISTEN);
    }
    const peers = [40001, 40002, 40003, 40004].map((port) => {
      const p = r.net.connect({ ip: PEER_IP, port }, { ip: CHIP_IP, port: 80 });
      r.wait(2);
      return p;
    });
    assert.deepEqual([r.sr(2), r.sr(0), r.sr(1)], [Sn_SR.SOCK_ESTABLISHED, Sn_SR.SOCK_ESTABLISHED, Sn_SR.SOCK_ESTABLISHED]);
    assert.deepEqual(peers.map((p) => p.state), ['ESTABLISHED', 'ESTABLISHED', 'ESTABLISHED', 'REFUSED']);
    peers[0].send('a');
    peers[1].send('bb');
    peers[2].send('ccc');
    r.wait(2);
    assert.deepEqual([r.recvText(2), r.recvText(0), r.recvText(1)], ['a', 'bb', 'ccc']);
  });

  it('shutdown drops queued events and later polls deliver nothing', () => {
    const r = new Rig();
    r.setupCommon();
    r.open(0, Sn_MR.TCP, 80);
    r.cmd(0, Sn_CR.LISTEN);
    r.net.connect({ ip: PEER_IP, port: 40000 }, { ip: CHIP_IP, port: 80 });
    assert.equal(r.net.pending(), 1);
    r.chip.close();
    assert.equal(r.net.pending(), 0);
    r.wait(5);
    assert.equal(r.sr(0), Sn_SR.SOCK_LISTEN);
  });
});

describe('W5500 model: close()', () => {
  it('after close() nothing runs on its own and there is no deadline', () => {
    const r = new Rig();
    r.setupCommon();
    r.net.listen({ ip: PEER_IP, port: 80 }).silent = true;
    r.open(0, Sn_MR.TCP, 5000);
    r.setDest(0, PEER_IP, 80);
    r.cmd(0, Sn_CR.CONNECT);
    assert.equal(r.chip.nextDeadline(), 200);
    r.chip.close();
    r.chip.close(); // twice is fine
    assert.equal(r.chip.nextDeadline(), undefined);
    r.clock.pause(60000);
    assert.equal(r.sr(0), Sn_SR.SOCK_SYNSENT);
  });
});
