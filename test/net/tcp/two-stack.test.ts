/**
 * Two stacks over a seeded lossy, reordering link (IPv4 seam, virtual clock): the seed's six-step
 * teardown, abortive closes from either end and a simultaneous close, byte-exact, over many seeds.
 */
import assert from 'node:assert/strict';
import { Link } from './two-stacks';
import type { LinkSpec, TwoStacks } from './two-stacks';
import { abortive, assertLossy, simultaneous, sixStep } from './scenarios';

const SEEDS = 24;
const LOSSY = function (seed: number): LinkSpec { return { seed, loss: 0.1, delay: 5, jitter: 40 }; };

describe('two stacks, seeded loss and reordering: the six-step teardown', () => {
  it('on a clean link', () => {
    sixStep(0, new Link({ seed: 0, loss: 0, delay: 5, jitter: 0 }));
  });
  it(SEEDS + ' seeds with 10% loss and up to 40 ms of reordering, byte-exact, steps in order', () => {
    const links: TwoStacks[] = [];
    for (let seed = 1; seed <= SEEDS; seed++) links.push(sixStep(seed, new Link(LOSSY(seed))));
    assertLossy(links);
  });
});

describe('two stacks, seeded loss and reordering: abortive closes', () => {
  it('client abort() mid-transfer: the server ends with Reset (a lost RST is repeated for its next segment)', () => {
    const links: TwoStacks[] = [];
    for (let seed = 1; seed <= SEEDS; seed++) links.push(abortive(seed, new Link(LOSSY(seed)), 'client'));
    assertLossy(links);
  });
  it('server abort() mid-transfer (linger 0): the client ends with Reset', () => {
    const links: TwoStacks[] = [];
    for (let seed = 1; seed <= SEEDS; seed++) links.push(abortive(seed, new Link(LOSSY(seed)), 'server'));
    assertLossy(links);
  });
});

describe('two stacks, seeded loss and reordering: simultaneous close', () => {
  it('on a clean link both pass through CLOSING into TIME_WAIT', () => {
    const r = simultaneous(0, new Link({ seed: 0, loss: 0, delay: 5, jitter: 0 }));
    assert.deepEqual(r.states, ['ESTABLISHED/ESTABLISHED', 'FIN_WAIT_1/FIN_WAIT_1', 'CLOSING/CLOSING', 'TIME_WAIT/TIME_WAIT']);
  });
  it(SEEDS + ' seeds with 10% loss and reordering: both end gracefully in TIME_WAIT, byte-exact', () => {
    const links: TwoStacks[] = [];
    for (let seed = 1; seed <= SEEDS; seed++) links.push(simultaneous(seed, new Link(LOSSY(seed))).link);
    assertLossy(links);
  });
});
