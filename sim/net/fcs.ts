/** The Ethernet frame check sequence: CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320), sent low byte first. */

const TABLE = new Int32Array(256);
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  TABLE[n] = c;
}

export function crc32(b: Uint8Array): number {
  let c = -1;
  for (let i = 0; i < b.length; i++) c = TABLE[(c ^ b[i]) & 0xff] ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}

/** the 4 FCS bytes of a frame, in wire order */
export function fcsBytes(frame: Uint8Array): Uint8Array {
  const c = crc32(frame);
  return new Uint8Array([c & 0xff, (c >>> 8) & 0xff, (c >>> 16) & 0xff, c >>> 24]);
}
