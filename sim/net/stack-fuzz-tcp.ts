/**
 * TCP for the fuzzer: a TCP on each host (firmware/net/tcp), B listening on port 80 and echoing,
 * A listening on 81 and echoing, both opening connections to the other, sending, half-closing,
 * closing and aborting at random; after every frame B's TCP must be consistent.
 */
import { IpProto } from '../../firmware/net/ip-proto';
import { NetIf } from '../../firmware/net/iface';
import { defaultTcpConfig } from '../../firmware/net/tcp/config';
import type { TcpSink } from '../../firmware/net/tcp/config';
import type { TcpConn } from '../../firmware/net/tcp/conn';
import { TcpState } from '../../firmware/net/tcp/constants';
import type { TcpListener } from '../../firmware/net/tcp/listener';
import { Tcp } from '../../firmware/net/tcp/tcp';
import type { FuzzTcp } from './stack-fuzz';

const CFG = defaultTcpConfig();

class Host implements TcpSink {
  tcp: Tcp;
  live: TcpConn[] = [];
  now = 0;
  opened = 0;
  closed = 0;
  bytesIn = 0;
  buf = new Uint8Array(2048);
  constructor(private nif: NetIf, public ip: number, listenPort: number, isn: () => number) {
    this.tcp = new Tcp(nif, CFG, isn, this);
    if (nif.attach(IpProto.TCP, this.tcp) !== 0) throw new Error('attach');
    if (this.tcp.listener().listen(0, listenPort, 4) !== 0) throw new Error('listen');
  }
  connected(c: TcpConn): void { void c; }
  acceptable(l: TcpListener): void {
    for (let c = l.accept(); c !== null; c = l.accept()) { this.live.push(c); this.opened++; }
  }
  readable(c: TcpConn): void {
    // echo what arrives, as far as the send buffer takes it
    const n = c.recv(this.buf, 0, this.buf.length, this.now);
    if (n > 0) { this.bytesIn += n; c.send(this.buf, 0, n, this.now); }
  }
  peerFin(c: TcpConn): void { c.close(this.now); }
  writable(c: TcpConn): void { void c; }
  allAcked(c: TcpConn): void { void c; }
  ended(c: TcpConn, cause: number): void {
    void cause;
    const i = this.live.indexOf(c);
    if (i >= 0) this.live.splice(i, 1);
    this.closed++;
  }
  /** one random application action */
  act(rnd: () => number, peer: number, peerPort: number, data: Uint8Array): void {
    const r = rnd() % 100;
    if (r < 3 && this.live.length < 3) {
      const c = this.tcp.conn();
      if (c.connect(peer, peerPort, 0, this.now) === 0) { this.live.push(c); this.opened++; }
    } else if (this.live.length > 0) {
      const c = this.live[rnd() % this.live.length];
      if (r < 60) c.send(data, 0, 1 + (rnd() % 1400), this.now);
      else if (r < 62) c.shutdownSend(this.now);
      else if (r < 64) { c.close(this.now); this.live.splice(this.live.indexOf(c), 1); }
      else if (r < 65) { c.abort(this.now); this.live.splice(this.live.indexOf(c), 1); }
    }
  }
}

function seqLE(a: number, b: number): boolean {
  return ((b - a) | 0) >= 0;
}

export function fuzzTcp(): FuzzTcp {
  let a: Host | null = null;
  let b: Host | null = null;
  const data = new Uint8Array(1460);
  for (let i = 0; i < data.length; i++) data[i] = (i * 31) & 0xff;
  let isnA = 0x12345678;
  let isnB = 0xfedcba98;
  return {
    start(na: NetIf, nb: NetIf, now: number): void {
      a = new Host(na, na.addr, 81, () => (isnA = (Math.imul(isnA, 1103515245) + 12345) >>> 0));
      b = new Host(nb, nb.addr, 80, () => (isnB = (Math.imul(isnB, 1103515245) + 12345) >>> 0));
      a.now = now; b.now = now;
    },
    step(rnd: () => number, now: number): void {
      const ha = a as Host;
      const hb = b as Host;
      ha.now = now; hb.now = now;
      ha.act(rnd, hb.ip, 80, data);
      hb.act(rnd, ha.ip, 81, data);
      ha.tcp.poll(now);
      const next = hb.tcp.poll(now);
      if (next !== -1 && !(next > now)) throw new Error('TCP poll deadline ' + next + ' not after ' + now);
    },
    check(now: number): string | null {
      const t = (b as Host).tcp;
      if (t.conns.length > CFG.maxConns) return 'TCP: ' + t.conns.length + ' connections';
      if (t.timeWaits.length > CFG.maxTimeWait) return 'TCP: ' + t.timeWaits.length + ' TIME_WAIT records';
      for (const c of t.conns) {
        if (c.state < TcpState.SYN_SENT || c.state > TcpState.LAST_ACK) return 'TCP: a connection in the table in state ' + c.state;
        if (!seqLE(c.sndUna, c.sndPtr) || !seqLE(c.sndPtr, c.sndNxt)) return 'TCP: SND.UNA ≤ ptr ≤ SND.NXT broken';
        if (((c.sndNxt - c.sndUna) >>> 0) > CFG.sndBuf + 2) return 'TCP: more in flight than the send buffer';
        if (((c.rcvAdv - c.rcvNxt) >>> 0) > 65535) return 'TCP: announced window beyond 65535';
        if (c.readable() < 0 || c.readable() > CFG.rcvBuf) return 'TCP: readable ' + c.readable();
        for (const d of [c.rtxAt, c.ackAt, c.keepAt]) if (d !== -1 && !(d >= 0 && d < now + 10 * CFG.rtoMax + CFG.timeWait)) return 'TCP: deadline ' + d;
      }
      return null;
    },
    summary(): string {
      const ha = a as Host;
      const hb = b as Host;
      const c = hb.tcp.counts;
      const names = ['bad-header', 'bad-checksum', 'bad-option', 'not-ours', 'unacceptable', 'challenge-ack', 'challenge-limited',
        'backlog-full', 'out-of-order', 'rst-sent', 'dropped', 'retransmit', 'segments-in', 'segments-out'];
      const counts: string[] = [];
      for (let i = 0; i < names.length && i < c.length; i++) counts.push(names[i] + ' ' + c[i]);
      return `B opened ${hb.opened} connections, saw ${hb.closed} end, echoed ${hb.bytesIn} bytes; A opened ${ha.opened}, saw ${ha.closed} end\n` +
        `  B's TCP counters (TcpCount): ${counts.join(' · ')}`;
    },
  };
}
