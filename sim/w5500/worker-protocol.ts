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
  | { op: 'hardReset' }
  | { op: 'bound' }
  | { op: 'close' };

export interface WorkerInit {
  ctrl: SharedArrayBuffer;
  data: SharedArrayBuffer;
  config: import('./host-chip').HostChipConfig;
}
