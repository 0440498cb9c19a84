/**
 * The Internet checksum (RFC 1071) for every protocol of the stack.
 *
 * The sum is taken with `E.sum` over a `Uint16Array` view of the bytes, not with a JavaScript loop:
 * on the Espruino interpreter a per-byte loop over a full segment costs ~100× more. The one's-complement
 * sum does not depend on byte order (RFC 1071 §2): native-order words are summed, folded, and the
 * folded value is byte-swapped on a little-endian machine. A view needs an even byte offset, so a range
 * that starts on an odd address is summed from the next byte on and swapped once more (the same rule).
 *
 * Node has no `E`: there `sumWords` falls back to a word loop, which only ever runs off the board.
 */

// Espruino's global; absent under Node. Declared here, module-local, so neither build needs its typings.
declare var E: { sum(a: Uint16Array): number } | undefined;

/** sum of the elements of a 16-bit view: E.sum on Espruino, a plain loop under Node */
const sumWords: (v: Uint16Array) => number =
  typeof E !== 'undefined' && E && typeof E.sum === 'function'
    ? function (v: Uint16Array): number { return (E as { sum(a: Uint16Array): number }).sum(v); }
    : function (v: Uint16Array): number {
      let s = 0;
      for (let i = 0; i < v.length; i++) s += v[i];
      return s;
    };

/** true when a Uint16Array reads bytes [1, 0] as 1 */
const littleEndian = new Uint16Array(new Uint8Array([1, 0]).buffer)[0] === 1;

/** folds any non-negative sum to 16 bits, end-around carry included (not complemented) */
function fold16(s: number): number {
  while (s > 0xffff) s = (s % 0x10000) + Math.floor(s / 0x10000);
  return s;
}

function swap16(w: number): number {
  return ((w & 0xff) << 8) | (w >>> 8);
}

/**
 * The one's-complement sum, unfolded, of the big-endian 16-bit words of `len` bytes at `off` of
 * `buf` (a trailing odd byte is padded with zero, RFC 1071), added to `acc`. `off` may be odd.
 * The caller keeps the range inside `buf`; an empty or negative range adds nothing.
 */
export function sum16(buf: Uint8Array, off: number, len: number, acc: number): number {
  if (len <= 0) return acc;
  const at = buf.byteOffset + off;
  if (at & 1) {
    // The byte at `off` is a high byte; the rest starts one byte later, so its aligned word sum is the
    // byte-swapped value of the sum wanted (RFC 1071 §2 (B)).
    return acc + (buf[off] << 8) + swap16(fold16(sum16(buf, off + 1, len - 1, 0)));
  }
  const words = len >> 1;
  let s = 0;
  if (words > 0) {
    s = fold16(sumWords(new Uint16Array(buf.buffer, at, words)));
    if (littleEndian) s = swap16(s);
  }
  if (len & 1) s += buf[off + len - 1] << 8;
  return acc + s;
}

/** the final checksum of a sum: folded to 16 bits and complemented (0 for a sum that is 0xFFFF) */
export function fold(acc: number): number {
  return ~fold16(acc) & 0xffff;
}

/** the unfolded sum of the IPv4 pseudo-header (RFC 768, RFC 9293 §3.1); addresses in host order */
export function pseudoSum(src: number, dst: number, proto: number, len: number): number {
  return (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + proto + len;
}
