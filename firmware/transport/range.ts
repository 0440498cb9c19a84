/** The argument check every transport makes of a caller's buffer range. */
export function validRange(buf: Uint8Array, off: number, len: number): boolean {
  return buf instanceof Uint8Array && typeof off === 'number' && typeof len === 'number' && off >= 0 && len >= 0 &&
    Math.floor(off) === off && Math.floor(len) === len && off + len <= buf.length;
}
