import v8 from 'node:v8';
import vm from 'node:vm';

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

interface BufferEntry { ref: WeakRef<object>; bytes: number }

/** a full garbage collection, when the process lets us have one (undefined otherwise) */
function exposeGc(): (() => void) | undefined {
  try {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as unknown;
    // only that one context gets it: the board's contexts offer Espruino's globals alone
    v8.setFlagsFromString('--no-expose-gc');
    return typeof gc === 'function' ? (gc as () => void) : undefined;
  } catch {
    return undefined;
  }
}
const gc = exposeGc();
// Running any script in a context with its own microtask queue ends the current job for WeakRefs:
// targets a WeakRef was created for or read in this job are no longer kept alive for it.
const flushContext = vm.createContext({}, { microtaskMode: 'afterEvaluate' });
const flushScript = new vm.Script('0');

/**
 * The typed arrays, ArrayBuffers and DataViews a bundle has made, held weakly. variables() forces a
 * collection first (as Espruino's process.memory() does), so what the bundle no longer reaches is
 * not counted; where Node refuses a forced collection it counts what V8 has not yet collected.
 */
export class TypedArrayLedger {
  private views: WeakRef<object>[] = [];
  private buffers: BufferEntry[] = [];
  private readonly seen = new WeakSet<object>();
  private pruneAt = 4096;

  constructor(private readonly layout: VarLayout) {}

  made(x: object): void {
    const buffer = ArrayBuffer.isView(x) ? x.buffer : x;
    if (buffer !== x) this.views.push(new WeakRef(x));
    if (!this.seen.has(buffer)) {
      this.seen.add(buffer);
      this.buffers.push({ ref: new WeakRef(buffer), bytes: (buffer as ArrayBuffer).byteLength });
    }
    if (this.views.length + this.buffers.length > this.pruneAt) {
      this.prune();
      this.pruneAt = Math.max(4096, 2 * (this.views.length + this.buffers.length));
    }
  }

  /** variables the live ones take */
  variables(): number {
    flushScript.runInContext(flushContext);
    if (gc) gc();
    this.prune();
    let n = this.views.length;
    for (const b of this.buffers) n += 1 + stringVariables(b.bytes, this.layout);
    return n;
  }

  private prune(): void {
    this.views = this.views.filter((r) => r.deref() !== undefined);
    this.buffers = this.buffers.filter((b) => b.ref.deref() !== undefined);
  }
}
