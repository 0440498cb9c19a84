/**
 * How many of Espruino's variables (JsVars) the typed arrays of a bundle take, for the virtual
 * board's process.memory(). As in Espruino 2v29 (src/jswrap_arraybuffer.c, src/jsvar.c): an
 * ArrayBuffer is one variable plus a string holding its bytes; a typed array or DataView is one
 * variable that refers to its ArrayBuffer (`new Uint8Array(n)` makes both; `subarray` only the
 * view). Above a break-even length the string is flat — one header block plus the bytes in whole
 * blocks — otherwise it is a chain of blocks of JSVAR_DATA_STRING_LEN, then _MAX_LEN characters.
 * Checked on the Linux build (64-bit, 17-byte blocks): E.getSizeOf(new Uint8Array(n)) is 3, 4, 9,
 * 34, 124 for n = 8, 16, 100, 512, 2048, which this gives with that build's sizes.
 */
export interface VarLayout {
  /** bytes per JsVar: process.memory().blocksize */
  blocksize: number;
  /** JSVAR_DATA_STRING_LEN: characters in the first block of a string */
  stringLen: number;
  /** JSVAR_DATA_STRING_MAX_LEN: characters in each further block */
  stringMaxLen: number;
}

/** src/jsutils.h for a 32-bit board with `variables` JsVars (a 64-bit build has 8-byte names instead of 4) */
export function varLayout(variables: number, blocksize: number, nameLen = 4): VarLayout {
  const refBits = variables <= 1023 ? 10 : variables <= 2047 ? 11 : variables <= 4095 ? 12 : variables <= 8191 ? 13 : variables <= 16383 ? 14 : 16;
  const packBits = variables <= 1023 ? 2 : 0;
  const refCountBits = refBits === 11 || refBits === 13 ? 4 : refBits === 10 ? 6 : 8;
  return {
    blocksize,
    stringLen: nameLen + ((refBits * 3 + packBits) >> 3),
    stringMaxLen: nameLen + ((refBits * 3 + packBits + refCountBits) >> 3),
  };
}

/** variables taken by a string of `bytes` characters, as an ArrayBuffer's backing store */
export function stringVariables(bytes: number, l: VarLayout): number {
  if (bytes > l.stringLen + l.stringMaxLen) return 1 + Math.ceil(bytes / l.blocksize);
  return bytes <= l.stringLen ? 1 : 1 + Math.ceil((bytes - l.stringLen) / l.stringMaxLen);
}
