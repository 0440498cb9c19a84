import type { ChildProcess } from 'node:child_process';

/** A spawned command and everything it has printed so far. */
export class Spawned {
  out = '';
  err = '';
  readonly exited: Promise<number | null>;
  constructor(readonly proc: ChildProcess) {
    proc.stdout!.on('data', (d: Buffer) => { this.out += d.toString('utf8'); });
    proc.stderr!.on('data', (d: Buffer) => { this.err += d.toString('utf8'); });
    this.exited = new Promise((r) => proc.once('exit', (code) => r(code)));
  }

  /** the first match of `re` in stdout, waiting up to `ms`; throws with everything printed when it does not come */
  async line(re: RegExp, ms: number): Promise<RegExpMatchArray> {
    const end = Date.now() + ms;
    for (;;) {
      const m = this.out.match(re);
      if (m) return m;
      if (Date.now() > end || this.proc.exitCode !== null) throw new Error(`no line ${re} in:\n${this.out}${this.err}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}
