import assert from 'node:assert/strict';
import { fold, pseudoSum, sum16 } from '../../firmware/net/checksum';
import { ICMP_ECHO_REQUEST } from '../../sim/net/captured-frames';

/** RFC 1071 by the book: big-endian words one at a time, odd byte padded, end-around carry */
function reference(buf: Uint8Array, off: number, len: number): number {
  let s = 0;
  for (let i = 0; i + 1 < len; i += 2) s += (buf[off + i] << 8) | buf[off + i + 1];
  if (len & 1) s += buf[off + len - 1] << 8;
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return ~s & 0xffff;
}

function lcg(seed: number): () => number {
  let x = seed >>> 0;
  return () => { x = (Math.imul(x, 1664525) + 1013904223) >>> 0; return x; };
}

describe('net/checksum (RFC 1071)', () => {
  it('gives the RFC 1071 §3 example sum: 00 01 f2 03 f4 f5 f6 f7 → ddf2, checksum 220d', () => {
    const b = Uint8Array.of(0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7);
    assert.equal(fold(sum16(b, 0, 8, 0)), 0x220d);
    // the same bytes at an odd offset of a buffer and of a buffer that is itself an odd-offset view
    const big = new Uint8Array(11);
    big.set(b, 3);
    assert.equal(fold(sum16(big, 3, 8, 0)), 0x220d);
    assert.equal(fold(sum16(big.subarray(1), 2, 8, 0)), 0x220d);
  });

  it('verifies the captured IPv4 header of an ICMP echo request (sim/net/captured-frames.ts): the sum over it folds to 0', () => {
    const h = new Uint8Array(ICMP_ECHO_REQUEST.subarray(14, 34));
    const field = (h[10] << 8) | h[11];
    h[10] = 0; h[11] = 0;
    assert.equal(fold(sum16(h, 0, 20, 0)), field);
    h[10] = field >>> 8; h[11] = field & 0xff;
    assert.equal(fold(sum16(h, 0, 20, 0)), 0);
  });

  it('equals the byte-by-byte reference for every offset parity and length 0..64, and random full frames', () => {
    const rnd = lcg(1071);
    const buf = new Uint8Array(1600);
    for (let i = 0; i < buf.length; i++) buf[i] = rnd() & 0xff;
    for (let view = 0; view < 2; view++) {
      const b = view ? buf.subarray(1) : buf;
      for (let off = 0; off < 4; off++) {
        for (let len = 0; len <= 64; len++) assert.equal(fold(sum16(b, off, len, 0)), reference(b, off, len), `view ${view} off ${off} len ${len}`);
      }
    }
    for (let k = 0; k < 200; k++) {
      const off = rnd() % 100;
      const len = rnd() % 1500;
      assert.equal(fold(sum16(buf, off, len, 0)), reference(buf, off, len), `off ${off} len ${len}`);
    }
  });

  it('sums all-0xff data without losing carries (1,500 bytes of 0xff → checksum 0)', () => {
    const b = new Uint8Array(1500).fill(0xff);
    assert.equal(fold(sum16(b, 0, 1500, 0)), 0);
    assert.equal(fold(sum16(b, 1, 1499, 0)), reference(b, 1, 1499));
    assert.equal(fold(0), 0xffff);
  });

  it('adds to the accumulator unfolded, so sums chain across ranges', () => {
    const rnd = lcg(7);
    const b = new Uint8Array(300);
    for (let i = 0; i < b.length; i++) b[i] = rnd() & 0xff;
    // chaining splits only at even lengths (odd splits shift the word boundary, as in RFC 1071)
    assert.equal(fold(sum16(b, 100, 200, sum16(b, 0, 100, 0))), reference(b, 0, 300));
    assert.equal(fold(sum16(b, 7, 50, 0x1234)), fold(0x1234 + (0xffff & ~reference(b, 7, 50))));
  });

  it('computes the pseudo-header sum of RFC 768 (src, dst, zero+proto, length)', () => {
    assert.equal(pseudoSum(0x0a000001, 0x0a000002, 17, 0x1c), 0x0a00 + 0x0001 + 0x0a00 + 0x0002 + 17 + 0x1c);
    assert.equal(pseudoSum(0xffffffff, 0xffffffff, 6, 0xffff), 4 * 0xffff + 6 + 0xffff);
  });
});
