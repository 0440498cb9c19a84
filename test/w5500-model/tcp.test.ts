import assert from 'node:assert/strict';
import { Rig, connected, PEER_IP, CHIP_IP } from './rig';
import { SnReg, Sn_MR, Sn_SR, Sn_IR, Sn_CR, socketBlock } from '../../hal/w5500/registers';

const SOCK_CLOSED = Sn_SR.SOCK_CLOSED;
const SOCK_INIT = Sn_SR.SOCK_INIT;
const SOCK_LISTEN = Sn_SR.SOCK_LISTEN;
const SOCK_SYNSENT = Sn_SR.SOCK_SYNSENT;
const SOCK_ESTABLISHED = Sn_SR.SOCK_ESTABLISHED;
const SOCK_FIN_WAIT = Sn_SR.SOCK_FIN_WAIT;
const SOCK_CLOSING = Sn_SR.SOCK_CLOSING;
const SOCK_TIME_WAIT = Sn_SR.SOCK_TIME_WAIT;
const SOCK_CLOSE_WAIT = Sn_SR.SOCK_CLOSE_WAIT;
const SOCK_LAST_ACK = Sn_SR.SOCK_LAST_ACK;
const CON = Sn_IR.CON;
const DISCON = Sn_IR.DISCON;
const RECV = Sn_IR.RECV;
const TIMEOUT = Sn_IR.TIMEOUT;
const SEND_OK = Sn_IR.SEND_OK;

describe('W5500 model: TCP commands', () => {
  it('OPEN → INIT; CONNECT: Sn_CR reads 0 at once, SYNSENT, then ESTABLISHED + CON one round trip later', () => {
    const r = new Rig();
    r.setupCommon();
    const l = r.net.listen({ ip: PEER_IP, port: 80 });
    r.open(0, Sn_MR.TCP, 5000);
    assert.equal(r.cr(0), 0);
    assert.equal(r.sr(0), SOCK_INIT);
    r.setDest(0, PEER_IP, 80);
    r.cmd(0, Sn_CR.CONNECT);
    assert.equal(r.cr(0), 0);
    assert.deepEqual(r.timeline(0, 5), [
      { t: 0, sr: SOCK_SYNSENT, ir: 0 },
      { t: 1, sr: SOCK_ESTABLISHED, ir: CON },
    ]);
    assert.equal(l.accepted.length, 1);
    assert.deepEqual(l.accepted[0].remote, { ip: CHIP_IP, port: 5000 });
    // ARP filled Sn_DHAR (locally administered stand-in MAC derived from the IP)
    assert.deepEqual(r.read(socketBlock(0), SnReg.Sn_DHAR, 6), [0x02, 0x00, 192, 168, 1, 20]);
  });

  it('LISTEN → accept: ESTABLISHED + CON when the handshake completes, Sn_DIPR/Sn_DPORT hold the client', () => {
    const r = new Rig();
    r.setupCommon();
    r.open(1, Sn_MR.TCP, 8080);
    r.cmd(1, Sn_CR.LISTEN);
    assert.equal(r.sr(1), SOCK_LISTEN);
    const peer = r.net.connect({ ip: PEER_IP, port: 40000 }, { ip: CHIP_IP, port: 8080 });
    assert.deepEqual(r.timeline(1, 3), [
      { t: 0, sr: SOCK_LISTEN, ir: 0 },
      { t: 0.5, sr: SOCK_ESTABLISHED, ir: CON },
    ]);
    assert.equal(peer.state, 'ESTABLISHED');
    assert.deepEqual(r.read(socketBlock(1), SnReg.Sn_DIPR, 4), [192, 168, 1, 20]);
    assert.equal(r.sreg16(1, SnReg.Sn_DPORT), 40000);
    // one connection per socket: a second client is refused
    const second = r.net.connect({ ip: PEER_IP, port: 40001 }, { ip: CHIP_IP, port: 8080 });
    r.wait(2);
    assert.equal(second.state, 'REFUSED');
    assert.equal(second.gotRst, true);
  });

  it('LISTEN and CONNECT outside SOCK_INIT are accepted and ignored', () => {
    const r = new Rig();
    r.setupCommon();
    r.cmd(0, Sn_CR.LISTEN);
    assert.equal(r.cr(0), 0);
    assert.equal(r.sr(0), SOCK_CLOSED);
    r.open(0, Sn_MR.UDP, 1000);
    r.cmd(0, Sn_CR.CONNECT);
    assert.equal(r.sr(0), Sn_SR.SOCK_UDP);
  });

  it('SEND: Sn_TX_FSR shrinks at SEND (not at the TX_WR write), grows back only with the ACK, which also brings SEND_OK', () => {
    const r = new Rig();
    const peer = connected(r);
    const wr = r.sreg16(0, SnReg.Sn_TX_WR);
    r.write(0x02, wr, Array.from(new TextEncoder().encode('hello world')));
    r.w16(socketBlock(0), SnReg.Sn_TX_WR, wr + 11);
    assert.equal(r.sreg16(0, SnReg.Sn_TX_FSR), 2048);
    r.cmd(0, Sn_CR.SEND);
    assert.equal(r.sreg16(0, SnReg.Sn_TX_FSR), 2048 - 11);
    assert.equal(r.sreg16(0, SnReg.Sn_TX_RD), wr + 11);
    assert.equal(r.ir(0), 0);
    r.wait(0.5);
    assert.equal(peer.text(), 'hello world');
    assert.equal(r.sreg16(0, SnReg.Sn_TX_FSR), 2048 - 11); // the ACK is still on its way
    r.wait(0.5);
    assert.equal(r.sreg16(0, SnReg.Sn_TX_FSR), 2048);
    assert.equal(r.ir(0), SEND_OK);
  });

  it('SEND goes out in MSS segments (Sn_MSSR, 1460 when 0); a peer sends in 1460-byte segments too', () => {
    const r = new Rig();
    const peer = connected(r);
    r.send(0, Array.from(new Uint8Array(2000)));
    r.wait(1);
    r.w16(socketBlock(0), SnReg.Sn_MSSR, 536);
    r.send(0, Array.from(new Uint8Array(1200)));
    r.wait(1);
    peer.send(new Uint8Array(1500));
    r.wait(1);
    const seg = (dir: string) => r.net.wire.filter((w) => w.dir === dir && w.what === 'data').map((w) => w.n);
    assert.deepEqual(seg('chip>peer'), [1460, 540, 536, 536, 128]);
    assert.deepEqual(seg('peer>chip'), [1460, 40]);
    assert.equal(peer.receivedBytes, 3200);
    assert.equal(r.ir(0), SEND_OK | RECV);
    assert.equal(r.sreg16(0, SnReg.Sn_RX_RSR), 1500);
  });

  it('sendOkOn "send": SEND_OK as soon as the SEND is handed to the wire', () => {
    const r = new Rig({ sendOkOn: 'send' });
    connected(r);
    r.send(0, 'x');
    assert.equal(r.ir(0), SEND_OK);
    assert.equal(r.sreg16(0, SnReg.Sn_TX_FSR), 2047); // free space still waits for the ACK
  });

  it('RECV: data lands at RX_WR with Sn_IR.RECV; Sn_RX_RSR shrinks only after the RECV command', () => {
    const r = new Rig();
    const peer = connected(r);
    peer.send('abc');
    r.wait(0.5);
    assert.equal(r.ir(0), RECV);
    assert.equal(r.sreg16(0, SnReg.Sn_RX_RSR), 3);
    assert.equal(r.sreg16(0, SnReg.Sn_RX_WR), 3);
    r.w16(socketBlock(0), SnReg.Sn_RX_RD, 2);
    assert.equal(r.sreg16(0, SnReg.Sn_RX_RSR), 3); // no RECV yet
    r.cmd(0, Sn_CR.RECV);
    assert.equal(r.sreg16(0, SnReg.Sn_RX_RSR), 1);
    r.clearIr(0);
    peer.send('de');
    r.wait(0.5);
    assert.equal(r.ir(0), RECV); // every arrival sets RECV
    assert.deepEqual(r.recv(0), [0x63, 0x64, 0x65]);
  });

  it('RX data wraps around the end of the buffer', () => {
    const r = new Rig();
    const peer = connected(r);
    const chunk = new Uint8Array(1500).map((_, i) => i & 0xff);
    peer.send(chunk);
    r.wait(1);
    assert.deepEqual(r.recv(0), Array.from(chunk));
    peer.send(chunk);
    r.wait(1);
    assert.equal(r.sreg16(0, SnReg.Sn_RX_RD), 1500);
    assert.deepEqual(r.recv(0), Array.from(chunk)); // 548 bytes before the 2 KB end, 952 after
  });

  it('DISCON in ESTABLISHED: FIN_WAIT → (peer FIN) DISCON interrupt and TIME_WAIT → CLOSED', () => {
    const r = new Rig();
    const peer = connected(r);
    r.cmd(0, Sn_CR.DISCON);
    assert.equal(r.cr(0), 0);
    const first = r.timeline(0, 3);
    assert.deepEqual(first, [{ t: 0, sr: SOCK_FIN_WAIT, ir: 0 }]);
    assert.equal(peer.gotFin, true);
    assert.equal(peer.state, 'CLOSE_WAIT');
    peer.fin();
    assert.deepEqual(r.timeline(0, 5), [
      { t: 0, sr: SOCK_FIN_WAIT, ir: 0 },
      { t: 0.5, sr: SOCK_TIME_WAIT, ir: DISCON },
      { t: 1.5, sr: SOCK_CLOSED, ir: DISCON },
    ]);
    const fromChip = r.net.wire.filter((w) => w.dir === 'chip>peer').map((w) => w.what);
    assert.deepEqual(fromChip, ['SYN', 'FIN']);
  });

  it('TIME_WAIT length is an option', () => {
    const r = new Rig({ timeWaitMs: 250 });
    const peer = connected(r);
    r.cmd(0, Sn_CR.DISCON);
    r.wait(2);
    peer.fin();
    assert.deepEqual(r.timeline(0, 300).map((x) => [x.t, x.sr]), [[0, SOCK_FIN_WAIT], [0.5, SOCK_TIME_WAIT], [250.5, SOCK_CLOSED]]);
  });

  it('DISCON in CLOSE_WAIT: LAST_ACK → CLOSED on the ACK, with no second DISCON interrupt', () => {
    const r = new Rig();
    const peer = connected(r);
    peer.fin();
    assert.deepEqual(r.timeline(0, 2), [{ t: 0, sr: SOCK_ESTABLISHED, ir: 0 }, { t: 0.5, sr: SOCK_CLOSE_WAIT, ir: DISCON }]);
    r.clearIr(0, DISCON);
    r.cmd(0, Sn_CR.DISCON);
    assert.deepEqual(r.timeline(0, 3), [{ t: 0, sr: SOCK_LAST_ACK, ir: 0 }, { t: 1, sr: SOCK_CLOSED, ir: 0 }]);
    assert.equal(peer.state, 'TIME_WAIT'); // the peer closed first
  });

  it('both ends close at once: FIN_WAIT → CLOSING → TIME_WAIT → CLOSED', () => {
    const r = new Rig();
    const peer = connected(r);
    r.cmd(0, Sn_CR.DISCON);
    peer.fin();
    assert.deepEqual(r.timeline(0, 5), [
      { t: 0, sr: SOCK_FIN_WAIT, ir: 0 },
      { t: 0.5, sr: SOCK_CLOSING, ir: DISCON },
      { t: 1, sr: SOCK_TIME_WAIT, ir: DISCON },
      { t: 2, sr: SOCK_CLOSED, ir: DISCON },
    ]);
  });

  it('CLOSE: CLOSED at once with nothing on the wire; the peer meets a RST only when it next sends', () => {
    const r = new Rig();
    const peer = connected(r);
    r.cmd(0, Sn_CR.CLOSE);
    assert.equal(r.sr(0), SOCK_CLOSED);
    r.wait(10);
    assert.equal(peer.gotFin, false);
    assert.equal(peer.gotRst, false);
    assert.equal(peer.state, 'ESTABLISHED');
    assert.deepEqual(r.net.wire.filter((w) => w.dir === 'chip>peer').map((w) => w.what), ['SYN']);
    peer.send('late');
    r.wait(1);
    assert.equal(peer.gotRst, true);
    assert.equal(r.ir(0), 0);
    assert.equal(r.sreg16(0, SnReg.Sn_RX_RSR), 0);
  });

  it('CLOSE in CLOSE_WAIT leaves the peer half-closed (its FIN_WAIT_2)', () => {
    const r = new Rig();
    const peer = connected(r);
    peer.fin();
    r.wait(1);
    r.cmd(0, Sn_CR.CLOSE);
    r.wait(5);
    assert.equal(r.sr(0), SOCK_CLOSED);
    assert.equal(peer.state, 'FIN_WAIT');
    assert.equal(peer.gotFin, false);
  });

  it('peer RST: CLOSED with Sn_IR.DISCON by default; rstIr option picks another bit or none', () => {
    for (const [opt, want] of [[undefined, DISCON], [0, 0], [TIMEOUT, TIMEOUT]] as [number | undefined, number][]) {
      const r = new Rig(opt === undefined ? {} : { rstIr: opt });
      const peer = connected(r);
      peer.rst();
      assert.deepEqual(r.timeline(0, 2), [{ t: 0, sr: SOCK_ESTABLISHED, ir: 0 }, { t: 0.5, sr: SOCK_CLOSED, ir: want }]);
    }
  });

  it('CONNECT to a closed port: RST → CLOSED + DISCON one round trip later', () => {
    const r = new Rig();
    r.setupCommon();
    r.open(0, Sn_MR.TCP, 5000);
    r.setDest(0, PEER_IP, 81);
    r.cmd(0, Sn_CR.CONNECT);
    assert.deepEqual(r.timeline(0, 3), [{ t: 0, sr: SOCK_SYNSENT, ir: 0 }, { t: 1, sr: SOCK_CLOSED, ir: DISCON }]);
  });

  it('data the peer sends after our FIN lands and stays readable after CLOSED until the next OPEN', () => {
    const r = new Rig();
    const peer = connected(r);
    r.cmd(0, Sn_CR.DISCON);
    r.wait(2);
    peer.send('reply after FIN');
    peer.fin();
    r.wait(10);
    assert.equal(r.sr(0), SOCK_CLOSED);
    assert.equal(r.ir(0), RECV | DISCON);
    assert.equal(r.sreg16(0, SnReg.Sn_RX_RSR), 15);
    assert.equal(r.recvText(0), 'reply after FIN');
    // data still there for a second look until OPEN resets the pointers
    r.w16(socketBlock(0), SnReg.Sn_RX_RD, 0);
    r.cmd(0, Sn_CR.RECV);
    assert.equal(r.sreg16(0, SnReg.Sn_RX_RSR), 15);
    r.cmd(0, Sn_CR.OPEN);
    assert.equal(r.sreg16(0, SnReg.Sn_RX_RSR), 0);
    assert.equal(r.sreg16(0, SnReg.Sn_RX_WR), 0);
  });

  it('DISCON in INIT, LISTEN or SYNSENT drops the attempt: CLOSED at once, no interrupt', () => {
    const r = new Rig();
    r.setupCommon();
    r.open(0, Sn_MR.TCP, 5000);
    r.cmd(0, Sn_CR.DISCON);
    assert.equal(r.sr(0), SOCK_CLOSED);
    r.open(0, Sn_MR.TCP, 5000);
    r.cmd(0, Sn_CR.LISTEN);
    r.cmd(0, Sn_CR.DISCON);
    assert.equal(r.sr(0), SOCK_CLOSED);
    const late = r.net.connect({ ip: PEER_IP, port: 40000 }, { ip: CHIP_IP, port: 5000 });
    r.wait(2);
    assert.equal(late.state, 'REFUSED');
    assert.equal(r.ir(0), 0);
  });

  it('OPEN with an unknown protocol in Sn_MR leaves the socket CLOSED; MACRAW is for socket 0 only', () => {
    const r = new Rig();
    r.open(1, 0x03, 1);
    assert.equal(r.sr(1), SOCK_CLOSED);
    r.open(1, Sn_MR.MACRAW, 0);
    assert.equal(r.sr(1), SOCK_CLOSED);
    r.open(0, Sn_MR.MACRAW, 0);
    assert.equal(r.sr(0), Sn_SR.SOCK_MACRAW);
  });

  it('OPEN initialises the pointers to pointerBase (option); data then wraps the 16-bit pointers', () => {
    const r = new Rig({ pointerBase: 0xfffc });
    const peer = connected(r);
    assert.equal(r.sreg16(0, SnReg.Sn_TX_WR), 0xfffc);
    assert.equal(r.sreg16(0, SnReg.Sn_RX_RD), 0xfffc);
    r.send(0, 'abcdefgh');
    r.wait(1);
    assert.equal(peer.text(), 'abcdefgh');
    assert.equal(r.sreg16(0, SnReg.Sn_TX_RD), 0x0004);
    assert.equal(r.sreg16(0, SnReg.Sn_TX_FSR), 2048);
    peer.send('12345678');
    r.wait(1);
    assert.equal(r.sreg16(0, SnReg.Sn_RX_RSR), 8);
    assert.equal(r.sreg16(0, SnReg.Sn_RX_WR), 0x0004);
    assert.equal(r.recvText(0), '12345678');
    assert.equal(r.sreg16(0, SnReg.Sn_RX_RSR), 0);
  });

  it('RX flow control: peer bytes beyond the free RX space wait (unacknowledged) and land after RECV', () => {
    const r = new Rig();
    const peer = connected(r);
    peer.send(new Uint8Array(3000).fill(0x41));
    r.wait(1);
    assert.equal(r.sreg16(0, SnReg.Sn_RX_RSR), 2048);
    assert.equal(peer.chipWindow, 0);
    assert.equal(r.recv(0).length, 2048);
    assert.equal(r.sreg16(0, SnReg.Sn_RX_RSR), 952);
    assert.equal(peer.chipWindow, 2048 - 952);
  });

  it('a peer FIN waits behind data that waits for RX space: CLOSE_WAIT + DISCON only once every byte has landed', () => {
    const r = new Rig();
    const peer = connected(r);
    peer.send(new Uint8Array(3000).fill(0x43));
    peer.fin();
    r.wait(2);
    assert.equal(r.sr(0), SOCK_ESTABLISHED);
    assert.equal(r.ir(0), RECV);
    assert.equal(r.recv(0).length, 2048);
    assert.equal(r.sr(0), SOCK_CLOSE_WAIT);
    assert.equal(r.ir(0), RECV | DISCON);
    assert.equal(r.recv(0).length, 952);
  });

  it('the same after our DISCON: FIN_WAIT until the held data has landed, then TIME_WAIT → CLOSED', () => {
    const r = new Rig();
    const peer = connected(r);
    r.cmd(0, Sn_CR.DISCON);
    r.wait(2);
    peer.send(new Uint8Array(6000));
    peer.fin();
    r.wait(2);
    assert.equal(r.sr(0), SOCK_FIN_WAIT);
    let got = r.recv(0).length; // 2048 read; 2048 more land, 1904 still wait
    assert.equal(r.sr(0), SOCK_FIN_WAIT);
    got += r.recv(0).length; // the last 1904 land, and the FIN behind them
    assert.equal(r.sr(0), SOCK_TIME_WAIT);
    assert.equal(r.ir(0), RECV | DISCON);
    got += r.recv(0).length;
    assert.equal(got, 6000);
    r.wait(2);
    assert.equal(r.sr(0), SOCK_CLOSED);
  });
});
