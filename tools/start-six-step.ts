/**
 * The seed's six-step table (docs/socket-semantics.md §7) as it happens, for `npm start -- --six-step`: the device
 * (examples/six-step.ts, the client) and the PC peer (tools/six-step-server.ts, the server) each print their steps;
 * every step becomes a row of the table when it is seen, and once all eight are in, the verdict says whether each
 * side kept the seed's order and each step waited for the one it answers. Pure: lines in, lines out.
 */

interface Step {
  step: string;
  side: 'client' | 'server';
  what: string;
  /** the line that reports it (the device's or the peer's); group 1, when present, is the error code (0 expected) */
  line: RegExp;
}

const STEPS: Step[] = [
  { step: '1', side: 'client', what: 'shutdown(s, SD_SEND): nothing more to send', line: /^six-step: 1 shutdown\(SD_SEND\) (-?\d+)$/ },
  { step: '2', side: 'server', what: 'gets FD_CLOSE: all client data has been received', line: /^peer: 2 FD_CLOSE \(FIN\) after \d+ request bytes()$/ },
  { step: '3', side: 'server', what: 'sends its remaining response data', line: /^peer: 3 send \d+()$/ },
  { step: '4', side: 'server', what: 'shutdown(s, SD_SEND)', line: /^peer: 4 shutdown\(SD_SEND\)()$/ },
  { step: "5'", side: 'client', what: 'gets FD_READ, recv returns the response', line: /^six-step: 5' FD_READ (-?\d+)$/ },
  { step: '5', side: 'client', what: 'gets FD_CLOSE (error 0) after the last byte was read', line: /^six-step: 5 FD_CLOSE (-?\d+)$/ },
  { step: "4'", side: 'server', what: 'closesocket(s)', line: /^peer: 4' closesocket()$/ },
  { step: '6', side: 'client', what: 'closesocket(s)', line: /^six-step: 6 closesocket (-?\d+)$/ },
];

/** each pair: the first step must come before the second (each side's own order, and what each step answers) */
const BEFORE: Array<[string, string]> = [
  ['1', "5'"], ["5'", '5'], ['5', '6'],
  ['2', '3'], ['3', '4'], ['4', "4'"],
  ['1', '2'], ['3', "5'"], ['4', '5'],
];

export class SixStepTable {
  /** when each step was seen, in ms, by step name */
  private readonly seen: Record<string, number> = {};
  private readonly errors: string[] = [];
  private rows = 0;
  /** true once every step was seen and the verdict printed */
  finished = false;
  /** the verdict: true when the order is the seed's and every error code is 0 */
  ok = false;

  /** `print` gets each line with the time of the step it reports */
  constructor(private readonly print: (line: string, ms: number) => void) {}

  /** a line the device or the peer printed, at `ms` */
  line(text: string, ms: number): void {
    if (/^peer: error /.test(text) || /^six-step: .*(failed|WRONG)/.test(text)) this.errors.push(text);
    for (const s of STEPS) {
      const m = s.line.exec(text);
      if (!m || this.seen[s.step] !== undefined) continue;
      this.seen[s.step] = ms;
      if (m[1] && m[1] !== '0') this.errors.push(`step ${s.step}: error ${m[1]}`);
      if (this.rows++ === 0) this.print('six-step | step | client | server', ms);
      const cell = s.what + ` (${(ms / 1000).toFixed(3)} s)`;
      this.print(`six-step | ${s.step.padEnd(4)} | ${s.side === 'client' ? cell : ''} | ${s.side === 'server' ? cell : ''}`, ms);
    }
    if (!this.finished && STEPS.every((s) => this.seen[s.step] !== undefined)) this.verdict(ms);
  }

  private verdict(ms: number): void {
    this.finished = true;
    const wrong = BEFORE.filter((p) => this.seen[p[0]] > this.seen[p[1]]).map((p) => `${p[1]} came before ${p[0]}`);
    this.ok = wrong.length === 0 && this.errors.length === 0;
    this.print(this.ok
      ? 'six-step: every step in the seed\'s order (docs/socket-semantics.md §7), every error code 0'
      : 'six-step: NOT the seed\'s sequence: ' + wrong.concat(this.errors).join('; '), ms);
  }
}
