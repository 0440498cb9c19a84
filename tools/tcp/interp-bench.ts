/**
 * Runs on an Espruino interpreter (bundled by tools/tcp/budget.ts): the time of one full-size segment
 * through TCP (input, checksum, state machine, copy into the receive ring, then recv out of it), as a
 * multiple of one plain per-byte JavaScript loop over the same 1,460 bytes (issue 11 item 6).
 */
import { Tcp } from '../../firmware/net/tcp/tcp';
import { defaultTcpConfig } from '../../firmware/net/tcp/config';
import { emitTcp, setTcpChecksum, TcpFlag } from '../../firmware/net/tcp/header';
declare var print: (s: string) => void;
declare var getTime: () => number;
const A = 0x0a000001, B = 0x0a000002;
let acks = 0;
const out = { sendIp: function () { acks++; return 0; }, localAddr: function () { return A; } };
let reads = 0;
const sink = { connected: function () {}, acceptable: function () {}, readable: function () { reads++; }, peerFin: function () {},
  writable: function () {}, allAcked: function () {}, ended: function () {} };
const cfg = defaultTcpConfig(); cfg.rcvBuf = 4096; cfg.sndBuf = 512;
const tcp = new Tcp(out, cfg, function () { return 1000; }, sink);
const c = tcp.conn();
c.localIp = A; c.localPort = 80; c.remoteIp = B; c.remotePort = 5000;
c.init();
c.sndUna = c.sndNxt = c.sndPtr = 1001; c.sndWnd = 8192; c.maxSndWnd = 8192; c.sndWl1 = 5000;
c.rcvNxt = 5001; c.rcvAdv = 5001 + 4096; c.state = 4;
tcp.conns.push(c);
const seg = new Uint8Array(1480 + 34);
const rx = new Uint8Array(1460);
const N = 50;
let seq = 5001;
function build(): void {
  emitTcp(seg, 34, 5000, 80, seq, 1001, TcpFlag.ACK | TcpFlag.PSH, 8192, 0);
  setTcpChecksum(seg, 34, 1480, B, A);
}
// per-byte loop reference over one segment's data
let t0 = getTime();
let sum = 0;
for (let k = 0; k < N; k++) { for (let i = 0; i < 1460; i++) sum += seg[54 + i]; }
const loop = (getTime() - t0) / N;
// the fast path: one full segment in, read out
let tIn = 0;
for (let k = 0; k < N; k++) {
  build();
  const t1 = getTime();
  tcp.input(B, A, seg, 34, 1480, k);
  c.recv(rx, 0, 1460, k);
  tIn += getTime() - t1;
  seq = (seq + 1460) >>> 0;
}
const per = tIn / N;
print(JSON.stringify({ loopMs: loop * 1000, segmentMs: per * 1000, segments: N, readable: reads, acks: acks, inOrder: c.rcvNxt === seq, sum: sum }));
