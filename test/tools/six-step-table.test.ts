import assert from 'node:assert/strict';
import { SixStepTable } from '../../tools/start-six-step';

/** the lines examples/six-step.ts (device) and tools/six-step-server.ts (peer) print for each step */
const LINES: Record<string, string> = {
  '1': 'six-step: 1 shutdown(SD_SEND) 0',
  '2': 'peer: 2 FD_CLOSE (FIN) after 64 request bytes',
  '3': 'peer: 3 send 200',
  '4': 'peer: 4 shutdown(SD_SEND)',
  "5'": "six-step: 5' FD_READ 0",
  '5': 'six-step: 5 FD_CLOSE 0',
  "4'": "peer: 4' closesocket",
  '6': 'six-step: 6 closesocket 0',
};

function run(order: string[], patch?: (step: string, line: string) => string): { out: string[]; table: SixStepTable } {
  const out: string[] = [];
  const table = new SixStepTable((line, ms) => out.push(ms + ' ' + line));
  order.forEach((step, i) => table.line(patch ? patch(step, LINES[step]) : LINES[step], i * 10));
  return { out, table };
}

describe('the six-step table of npm start --six-step (tools/start-six-step.ts)', () => {
  it('prints one row per step as it is seen, then the verdict: the seed\'s order', () => {
    const { out, table } = run(['1', '2', '3', '4', "4'", "5'", '5', '6']);
    assert.deepEqual(out, [
      '0 six-step | step | client | server',
      '0 six-step | 1    | shutdown(s, SD_SEND): nothing more to send (0.000 s) | ',
      '10 six-step | 2    |  | gets FD_CLOSE: all client data has been received (0.010 s)',
      '20 six-step | 3    |  | sends its remaining response data (0.020 s)',
      '30 six-step | 4    |  | shutdown(s, SD_SEND) (0.030 s)',
      "40 six-step | 4'   |  | closesocket(s) (0.040 s)",
      "50 six-step | 5'   | gets FD_READ, recv returns the response (0.050 s) | ",
      '60 six-step | 5    | gets FD_CLOSE (error 0) after the last byte was read (0.060 s) | ',
      '70 six-step | 6    | closesocket(s) (0.070 s) | ',
      "70 six-step: every step in the seed's order (docs/socket-semantics.md §7), every error code 0",
    ]);
    assert.equal(table.finished, true);
    assert.equal(table.ok, true);
  });

  it('names each step that came before the one it answers', () => {
    // FD_CLOSE on the client before the server's shutdown: the end came before the data was all there
    const { out, table } = run(['1', '2', '3', "5'", '5', '4', "4'", '6']);
    assert.equal(out[out.length - 1], "70 six-step: NOT the seed's sequence: 5 came before 4");
    assert.equal(table.ok, false);
  });

  it('a step with an error code, a peer error and lines of other kinds', () => {
    const { out, table } = run(['1', '2', '3', '4', "4'", "5'", '5', '6'], (step, line) => (step === '5' ? 'six-step: 5 FD_CLOSE 10054' : line));
    table.line('peer: error ECONNRESET', 80);
    table.line('six-step: send 64', 90); // not a step: no row
    assert.equal(out.length, 10);
    assert.equal(out[9], "70 six-step: NOT the seed's sequence: step 5: error 10054");
    assert.equal(table.ok, false);
  });

  it('an unfinished run has no verdict', () => {
    const { out, table } = run(['1', '2', '3']);
    assert.equal(out.length, 4);
    assert.equal(table.finished, false);
    assert.equal(table.ok, false);
  });
});
