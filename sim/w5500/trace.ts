/**
 * SPI and network trace of the W5500 model. Counters are always kept (the driver benchmark reads them);
 * the JSON lines only when enabled, since decoding every frame costs time in long runs.
 */
export interface W5500Counters {
  /** chip-select windows (calls to exchange) */
  transactions: number;
  /** every SPI byte, headers included */
  bytes: number;
  /** bytes moved to or from TX/RX buffer blocks */
  payloadBytes: number;
}

/**
 * What the trace records: true = every record, false = none, or a list of the kinds wanted — record kinds ('spi',
 * 'cmd', 'net', 'intn', 'link', 'reset') and 'payload' (the bytes of each TCP segment in 'send' and 'data in').
 */
export type TraceSpec = boolean | string[];

export class W5500Trace {
  enabled: boolean;
  readonly counters: W5500Counters = { transactions: 0, bytes: 0, payloadBytes: 0 };
  private out: string[] = [];
  private kinds: string[] | undefined;

  constructor(spec: TraceSpec | undefined) {
    this.enabled = Array.isArray(spec) ? spec.length > 0 : !!spec;
    this.kinds = Array.isArray(spec) ? spec.slice() : undefined;
  }
  /** whether records of this kind (or 'payload') are kept */
  wants(kind: string): boolean {
    return this.enabled && (this.kinds === undefined || this.kinds.indexOf(kind) >= 0);
  }
  /** the recorded lines, oldest first, at most `max` of them, which the trace then forgets */
  take(max: number): string[] {
    return this.out.splice(0, Math.max(0, max));
  }
  /** the recorded JSON lines, oldest first */
  lines(): string[] {
    return this.out.slice();
  }
  /** the recorded lines parsed back, for tests */
  records(): Record<string, unknown>[] {
    return this.out.map((l) => JSON.parse(l) as Record<string, unknown>);
  }
  reset(): void {
    this.counters.transactions = 0;
    this.counters.bytes = 0;
    this.counters.payloadBytes = 0;
    this.out = [];
  }
  record(rec: Record<string, unknown>): void {
    if (this.wants(String(rec.ev))) this.out.push(JSON.stringify(rec));
  }
}

export function hex(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += (i ? ' ' : '') + (b[i] < 16 ? '0' : '') + b[i].toString(16);
  return s;
}
