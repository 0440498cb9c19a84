/** The TCP header codec and the sequence arithmetic. Vectors are segments the Linux kernel sent on loopback. */
import assert from 'node:assert/strict';
import { TcpFlag, TcpParse, TcpSegment, emitTcp, parseTcp, setTcpChecksum } from '../../../firmware/net/tcp/header';
import { seqAdd, seqDiff, seqGe, seqGt, seqLe, seqLt } from '../../../firmware/net/tcp/seq';
import { pseudoSum } from '../../../firmware/net/checksum';

const LO = 0x7f000001;
// 127.0.0.1:35 → :47123 handshake and data, captured with tcpdump on lo (Linux 6.x). Loopback leaves the
// checksum to offload: the field holds the folded pseudo-header sum, which the first test checks.
const SYN = '889ab8136fcaf53200000000a002ffd7fe3000000204ffd70402080a78e6f50c000000000103030a';
const SYN_ACK = 'b813889af16d77786fcaf533a012ffcbfe3000000204ffd70402080aae595e9e78e6f50c0103030a';
const DATA = '889ab8136fcaf533f16d777980180040fe2d00000101080a78e6f50cae595e9e68656c6c6f';
const FIN = '889ab8136fcaf538f16d777980110040fe2800000101080a78e6f574ae595e9e';

function vector(hex: string): Uint8Array {
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

/** the kernel's partial checksum, replaced by the full one (what a NIC with offload puts on the wire) */
function finished(hex: string): Uint8Array {
  const b = vector(hex);
  const partial = (b[16] << 8) | b[17];
  let p = pseudoSum(LO, LO, 6, b.length);
  while (p > 0xffff) p = (p & 0xffff) + (p >>> 16);
  assert.equal(partial, p, 'offload: the field holds the pseudo-header sum');
  setTcpChecksum(b, 0, b.length, LO, LO);
  return b;
}

describe('TCP header codec (header.ts)', () => {
  it('parses a Linux SYN: MSS 65495 read; window scale 10, SACK-permitted, timestamps recognised', () => {
    const s = new TcpSegment();
    assert.equal(parseTcp(finished(SYN), 0, 40, LO, LO, s), TcpParse.OK);
    assert.deepEqual([s.srcPort, s.dstPort, s.seq, s.ack, s.flags, s.wnd, s.data, s.len, s.mss, s.wscale, s.sackOk, s.timestamps],
      [0x889a, 47123, 0x6fcaf532, 0, TcpFlag.SYN, 0xffd7, 40, 0, 65495, 10, true, true]);
  });
  it('parses the SYN,ACK, the data segment (with 5 bytes) and the FIN', () => {
    const s = new TcpSegment();
    assert.equal(parseTcp(finished(SYN_ACK), 0, 40, LO, LO, s), TcpParse.OK);
    assert.deepEqual([s.seq, s.ack, s.flags, s.mss, s.wscale], [0xf16d7778, 0x6fcaf533, TcpFlag.SYN | TcpFlag.ACK, 65495, 10]);
    const d = finished(DATA);
    assert.equal(parseTcp(d, 0, d.length, LO, LO, s), TcpParse.OK);
    assert.deepEqual([s.flags, s.data, s.len, s.mss, s.timestamps], [TcpFlag.PSH | TcpFlag.ACK, 32, 5, 0, true]);
    assert.equal(Buffer.from(d.subarray(s.data, s.data + s.len)).toString(), 'hello');
    const f = finished(FIN);
    assert.equal(parseTcp(f, 0, f.length, LO, LO, s), TcpParse.OK);
    assert.equal(s.flags, TcpFlag.FIN | TcpFlag.ACK);
  });
  it('parses a segment inside a larger frame at an odd offset', () => {
    const d = finished(DATA);
    const frame = new Uint8Array(d.length + 35);
    frame.set(d, 35);
    const s = new TcpSegment();
    assert.equal(parseTcp(frame, 35, d.length, LO, LO, s), TcpParse.OK);
    assert.deepEqual([s.data, s.len], [35 + 32, 5]);
  });
  it('rejects a bad checksum, and a checksum computed for other addresses', () => {
    const s = new TcpSegment();
    const d = finished(DATA);
    d[d.length - 1] ^= 1;
    assert.equal(parseTcp(d, 0, d.length, LO, LO, s), TcpParse.BAD_CHECKSUM);
    assert.equal(parseTcp(finished(DATA), 0, 37, LO, LO + 1, s), TcpParse.BAD_CHECKSUM);
  });
  it('rejects truncated segments and data offsets outside 5 … length', () => {
    const s = new TcpSegment();
    const d = finished(SYN);
    assert.equal(parseTcp(d, 0, 19, LO, LO, s), TcpParse.BAD_HEADER);
    assert.equal(parseTcp(d, 0, 39, LO, LO, s), TcpParse.BAD_HEADER, 'header says 40');
    assert.equal(parseTcp(d, 30, 20, LO, LO, s), TcpParse.BAD_HEADER, 'past the buffer');
    const low = finished(DATA);
    low[12] = 0x40;
    setTcpChecksum(low, 0, low.length, LO, LO);
    assert.equal(parseTcp(low, 0, low.length, LO, LO, s), TcpParse.BAD_HEADER);
    const high = finished(DATA);
    high[12] = 0xf0;
    setTcpChecksum(high, 0, high.length, LO, LO);
    assert.equal(parseTcp(high, 0, high.length, LO, LO, s), TcpParse.BAD_HEADER);
  });
  it('rejects malformed options: length 0 or 1, running past the header, MSS of the wrong length', () => {
    const s = new TcpSegment();
    for (const opt of [[2, 0, 0, 0], [8, 1, 0, 0], [1, 1, 5, 6], [2, 3, 1, 1], [1, 1, 1, 2]]) {
      const b = new Uint8Array(24);
      emitTcp(b, 0, 1, 2, 3, 4, TcpFlag.SYN, 100, 0);
      b[12] = 6 << 4;
      b.set(opt, 20);
      setTcpChecksum(b, 0, 24, LO, LO);
      assert.equal(parseTcp(b, 0, 24, LO, LO, s), TcpParse.BAD_OPTION, JSON.stringify(opt));
    }
    // END stops the walk: what follows is padding
    const b = new Uint8Array(24);
    emitTcp(b, 0, 1, 2, 3, 4, TcpFlag.SYN, 100, 0);
    b[12] = 6 << 4;
    b.set([0, 9, 9, 9], 20);
    setTcpChecksum(b, 0, 24, LO, LO);
    assert.equal(parseTcp(b, 0, 24, LO, LO, s), TcpParse.OK);
  });
  it('emits exactly the bytes Linux sent for the same fields (FIN,ACK with its timestamp option left out)', () => {
    const b = new Uint8Array(20);
    assert.equal(emitTcp(b, 0, 0x889a, 47123, 0x6fcaf538, 0xf16d7779, TcpFlag.FIN | TcpFlag.ACK, 0x40, 0), 20);
    const ref = vector(FIN).subarray(0, 20);
    ref[12] = 0x50;
    ref[16] = 0;
    ref[17] = 0;
    assert.deepEqual(Buffer.from(b).toString('hex'), Buffer.from(ref).toString('hex'));
  });
  it('emits a SYN with the MSS option and a checksum that verifies; the ACK field is zero without ACK', () => {
    const b = new Uint8Array(24);
    assert.equal(emitTcp(b, 0, 49152, 80, 0xffffffff, 1234, TcpFlag.SYN, 2048, 1460), 24);
    setTcpChecksum(b, 0, 24, 0xc0a80114, 0xc0a8010a);
    assert.equal(Buffer.from(b).toString('hex').slice(0, 32), 'c0000050ffffffff0000000060020800');
    const s = new TcpSegment();
    assert.equal(parseTcp(b, 0, 24, 0xc0a80114, 0xc0a8010a, s), TcpParse.OK);
    assert.deepEqual([s.seq, s.ack, s.mss], [0xffffffff, 0, 1460]);
  });
});

describe('32-bit sequence arithmetic (seq.ts)', () => {
  it('adds with wrap at 2^32 − 1', () => {
    assert.equal(seqAdd(0xffffffff, 1), 0);
    assert.equal(seqAdd(0xfffffff0, 0x20), 0x10);
    assert.equal(seqAdd(5, -6), 0xffffffff);
  });
  it('orders across the wrap', () => {
    assert.ok(seqLt(0xffffffff, 0));
    assert.ok(seqLt(0xfffffff0, 0x10));
    assert.ok(seqGt(0x10, 0xfffffff0));
    assert.ok(seqLe(0xffffffff, 0xffffffff) && seqGe(0, 0));
    assert.ok(!seqLt(0, 0xffffffff));
    assert.equal(seqDiff(0x10, 0xfffffff0), 0x20);
    assert.equal(seqDiff(0xfffffff0, 0x10), -0x20);
    assert.ok(seqLt(0, 0x7fffffff) && seqGt(0, 0x80000001));
  });
});
