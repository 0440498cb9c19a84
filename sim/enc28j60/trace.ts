/**
 * Trace and counters of the ENC28J60 model. Counters are always kept (tests and the benchmark read them); the
 * JSON lines only when enabled.
 */

export interface EncCounters {
  /** chip-select windows */
  transactions: number;
  /** every SPI byte, opcodes included */
  bytes: number;
  /** data bytes of RBM and WBM */
  payloadBytes: number;
  rxFrames: number;
  rxBytes: number;
  txFrames: number;
  txBytes: number;
  txAborted: number;
}

/** why a frame from the wire was not stored */
export interface EncDrops {
  /** RXEN, MARXEN clear, RXRST held, chip resetting */
  disabled: number;
  noLink: number;
  /** shorter than 60 bytes without FCS */
  runt: number;
  /** longer than MAMXFL with HFRMLEN clear */
  tooLong: number;
  /** bad FCS with ERXFCON.CRCEN */
  crc: number;
  /** rejected by the receive filters */
  filter: number;
  /** no room before ERXRDPT (EIR.RXERIF) */
  overflow: number;
  /** EPKTCNT already 255 (EIR.RXERIF) */
  countFull: number;
  /** errata #17 */
  dmaChecksum: number;
}

/** what a datasheet-following driver never does; each is also a trace line with `fault` */
export interface EncDriverFaults {
  /** BFS/BFC on a MAC, MII or PHY address (DS §4.2.5: ETH registers only) */
  bitOpOnMacMii: number;
  /** an RCR of a MAC/MII register whose window ended before the value byte (the dummy byte was taken as data) */
  macMiiReadWithoutDummy: number;
  /** bytes past the first data byte of an RCR, WCR, BFS or BFC window */
  extraBytes: number;
  /** opcode/argument combinations Table 4-1 does not define */
  badInstruction: number;
  /** writes while the chip was still starting after a reset (errata #2) */
  writeWhileResetting: number;
  /** writes to read-only registers or bits */
  readOnlyWrite: number;
  /** ERXST, ERXND, ERXFCON or MAADR written with RXEN set (DS §7.2.1) */
  rxConfigWhileEnabled: number;
  /** ETXST, ETXND or TX buffer memory written while TXRTS is set (DS §7.1) */
  txWhileTxrts: number;
  /** ERXRDPT committed with an even value (errata #14) */
  evenRxRdpt: number;
  /** ERXRDPTH written without a fresh ERXRDPTL before it (DS §7.2.4: low byte first) */
  rxRdptHighWithoutLow: number;
  /** MIREGADR, MIWR or MICMD written while MISTAT.BUSY */
  miiWhileBusy: number;
}

function zeros<T>(keys: (keyof T)[]): T {
  const o = {} as Record<string, number>;
  for (const k of keys) o[k as string] = 0;
  return o as unknown as T;
}

const COUNTER_KEYS: (keyof EncCounters)[] = ['transactions', 'bytes', 'payloadBytes', 'rxFrames', 'rxBytes', 'txFrames', 'txBytes', 'txAborted'];
const DROP_KEYS: (keyof EncDrops)[] = ['disabled', 'noLink', 'runt', 'tooLong', 'crc', 'filter', 'overflow', 'countFull', 'dmaChecksum'];
const FAULT_KEYS: (keyof EncDriverFaults)[] = [
  'bitOpOnMacMii', 'macMiiReadWithoutDummy', 'extraBytes', 'badInstruction', 'writeWhileResetting', 'readOnlyWrite',
  'rxConfigWhileEnabled', 'txWhileTxrts', 'evenRxRdpt', 'rxRdptHighWithoutLow', 'miiWhileBusy',
];

export class EncTrace {
  enabled: boolean;
  readonly counters: EncCounters = zeros<EncCounters>(COUNTER_KEYS);
  readonly drops: EncDrops = zeros<EncDrops>(DROP_KEYS);
  readonly driverFaults: EncDriverFaults = zeros<EncDriverFaults>(FAULT_KEYS);
  private out: string[] = [];

  constructor(enabled: boolean) {
    this.enabled = enabled;
  }
  lines(): string[] {
    return this.out.slice();
  }
  records(): Record<string, unknown>[] {
    return this.out.map((l) => JSON.parse(l) as Record<string, unknown>);
  }
  /** the sum of every driver-fault counter */
  faultCount(): number {
    let n = 0;
    for (const k of FAULT_KEYS) n += this.driverFaults[k];
    return n;
  }
  reset(): void {
    for (const k of COUNTER_KEYS) this.counters[k] = 0;
    for (const k of DROP_KEYS) this.drops[k] = 0;
    for (const k of FAULT_KEYS) this.driverFaults[k] = 0;
    this.out = [];
  }
  record(rec: Record<string, unknown>): void {
    if (this.enabled) this.out.push(JSON.stringify(rec));
  }
  fault(t: number, kind: keyof EncDriverFaults, detail: Record<string, unknown>): void {
    this.driverFaults[kind]++;
    if (this.enabled) this.out.push(JSON.stringify(Object.assign({ t, ev: 'fault', fault: kind }, detail)));
  }
  drop(t: number, why: keyof EncDrops, len: number): void {
    this.drops[why]++;
    if (this.enabled) this.out.push(JSON.stringify({ t, ev: 'rx', drop: why, len }));
  }
}

export { hex } from '../w5500/trace';
