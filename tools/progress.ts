/**
 * Progress of a long command (bench, soak, fuzz, hil) for a person at a terminal: one line on stderr, redrawn in
 * place, at most every `intervalMs`. Silent when stderr is not a terminal or CI is set, so logs and CI output
 * hold only the results.
 */
export interface ProgressOptions {
  /** where the line goes (default process.stderr) */
  stream?: NodeJS.WriteStream;
  /** force on or off (default: stream is a TTY and CI is not set) */
  enabled?: boolean;
  intervalMs?: number;
}

export class Progress {
  readonly enabled: boolean;
  private stream: NodeJS.WriteStream;
  private last = -Infinity;
  private shown = false;
  /** characters of the line on screen */
  private shownWidth = 0;
  private readonly t0 = performance.now();
  private intervalMs: number;

  constructor(private label: string, private total: number, opts: ProgressOptions = {}) {
    this.stream = opts.stream ?? process.stderr;
    this.enabled = opts.enabled ?? (!!this.stream.isTTY && !process.env.CI);
    this.intervalMs = opts.intervalMs ?? 200;
  }

  /** `done` of `total` finished; `note` says what is under way */
  update(done: number, note = ''): void {
    if (!this.enabled) return;
    const now = performance.now();
    if (now - this.last < this.intervalMs && done < this.total) return;
    this.last = now;
    const pct = this.total > 0 ? Math.floor((done / this.total) * 100) : 0;
    const s = ((now - this.t0) / 1000).toFixed(0);
    const text = `${this.label}: ${done}/${this.total} (${pct} %), ${s} s${note ? ' — ' + note : ''}`;
    const width = (this.stream.columns || 100) - 1;
    const line = text.slice(0, width);
    // padded over what a longer previous line left
    this.stream.write('\r' + line.padEnd(this.shownWidth));
    this.shownWidth = line.length;
    this.shown = true;
  }

  /** removes the line, so what is printed next starts clean */
  clear(): void {
    if (!this.enabled || !this.shown) return;
    this.stream.write('\r' + ' '.repeat(this.shownWidth) + '\r');
    this.shown = false;
    this.shownWidth = 0;
  }
}
