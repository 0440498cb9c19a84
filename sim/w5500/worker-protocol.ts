/**
 * The shared-memory channel between a firmware thread and the W5500 worker. The firmware thread
 * writes a request into `data`, bumps REQ and sleeps in Atomics.wait on RESP; the worker answers and
 * sets RESP to the same sequence number. One request at a time, so no locking beyond the two words.
 */

export const enum Slot {
  /** request sequence number, bumped by the firmware thread */
  REQ = 0,
  /** sequence number of the last answered request, set by the worker */
  RESP = 1,
  /** request kind (Kind) */
  KIND = 2,
  /** request length in `data` */
  REQ_LEN = 3,
  /** response length in `data` */
  RESP_LEN = 4,
  /** 0 = ok, 1 = the response is an error message (UTF-8) */
  STATUS = 5,
  /** INTn level: 1 high (idle), 0 low (asserted) */
  INTN = 6,
  COUNT = 8,
}

export const enum Kind {
  /** one chip-select window: MOSI in, MISO (same length) out */
  SPI = 1,
  /** JSON request in, JSON answer out (faults, trace, reset, bound ports, close) */
  CONTROL = 2,
}

export const enum Status {
  OK = 0,
  ERROR = 1,
}

/** Messages the worker posts to the firmware thread's event loop. */
export type WorkerMessage =
  | { type: 'ready' }
  | { type: 'failed'; message: string }
  | { type: 'intn'; high: boolean }
  | { type: 'error'; message: string };

export type ControlRequest =
  | { op: 'fault'; name: string; args: unknown[] }
  | { op: 'trace' }
  | { op: 'traceLines' }
  | { op: 'traceTake'; max: number }
  | { op: 'hardReset' }
  | { op: 'bound' }
  | { op: 'close' };

/**
 * The firmware thread's half of one request: writes it, wakes the worker and sleeps until the answer (or
 * `timeoutMs`, then throws 'timeout'). Returns the answer and whether the worker reported an error.
 */
export function syncRequest(ctrl: Int32Array, data: Uint8Array, seq: number, kind: Kind, payload: Uint8Array, timeoutMs: number): { ok: boolean; out: Uint8Array } {
  if (payload.length > data.length) throw new Error(`transaction of ${payload.length} bytes exceeds the ${data.length}-byte channel`);
  data.set(payload, 0);
  Atomics.store(ctrl, Slot.KIND, kind);
  Atomics.store(ctrl, Slot.REQ_LEN, payload.length);
  Atomics.store(ctrl, Slot.REQ, seq);
  Atomics.notify(ctrl, Slot.REQ);
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const got = Atomics.load(ctrl, Slot.RESP);
    if (got === seq) break;
    const left = deadline - performance.now();
    if (left <= 0) throw new Error('timeout');
    Atomics.wait(ctrl, Slot.RESP, got, left);
  }
  const n = Atomics.load(ctrl, Slot.RESP_LEN);
  return { ok: Atomics.load(ctrl, Slot.STATUS) === Status.OK, out: data.slice(0, n) };
}

/** The worker's half: writes the answer to request `seq` and wakes the firmware thread. */
export function syncAnswer(ctrl: Int32Array, data: Uint8Array, seq: number, status: Status, bytes: Uint8Array): void {
  let out = bytes;
  let st = status;
  if (out.length > data.length) {
    out = new TextEncoder().encode(`answer of ${bytes.length} bytes does not fit the ${data.length}-byte channel`);
    st = Status.ERROR;
  }
  data.set(out, 0);
  Atomics.store(ctrl, Slot.RESP_LEN, out.length);
  Atomics.store(ctrl, Slot.STATUS, st);
  Atomics.store(ctrl, Slot.RESP, seq);
  Atomics.notify(ctrl, Slot.RESP);
}

export interface WorkerInit {
  ctrl: SharedArrayBuffer;
  data: SharedArrayBuffer;
  config: import('./host-chip').HostChipConfig;
}
