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

export class W5500Trace {
  enabled: boolean;
  readonly counters: W5500Counters = { transactions: 0, bytes: 0, payloadBytes: 0 };
  private out: string[] = [];

  constructor(enabled: boolean) {
    this.enabled = enabled;
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
    if (this.enabled) this.out.push(JSON.stringify(rec));
  }
}

export function hex(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += (i ? ' ' : '') + (b[i] < 16 ? '0' : '') + b[i].toString(16);
  return s;
}
