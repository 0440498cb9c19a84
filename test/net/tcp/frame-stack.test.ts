/**
 * The teardown scenarios again, now with each stack whole (Ethernet, ARP, IPv4, TCP) and the segments
 * crossing a seeded lossy, reordering Ethernet link as frames.
 */
import assert from 'node:assert/strict';
import { EtherLink } from './frame-stacks';
import { Stat } from '../../../firmware/net/iface';
import { TcpCount } from '../../../firmware/net/tcp/constants';
import type { LinkSpec, TwoStacks } from './two-stacks';
import { abortive, assertLossy, simultaneous, sixStep } from './scenarios';

const SEEDS = 16;
const LOSSY = function (seed: number): LinkSpec { return { seed: seed + 100, loss: 0.1, delay: 2, jitter: 30 }; };

describe('two whole stacks over Ethernet frames (ARP, IPv4, TCP), seeded loss and reordering', () => {
  it('the six-step teardown on a clean link, then ' + SEEDS + ' lossy seeds, byte-exact, steps in order', () => {
    const clean = sixStep(0, new EtherLink({ seed: 0, loss: 0, delay: 2, jitter: 0 })) as EtherLink;
    // every segment went up through IPv4: as many datagrams handed to TCP as the other side sent frames with them
    assert.ok(clean.ifA.stats[Stat.RX_UPPER] > 5 && clean.ifB.stats[Stat.RX_UPPER] > 5);
    assert.equal(clean.a.tcp.counts[TcpCount.SEGMENTS_IN], clean.ifA.stats[Stat.RX_UPPER], 'SEGMENTS_IN = datagrams from IPv4');
    const links: TwoStacks[] = [];
    for (let seed = 1; seed <= SEEDS; seed++) links.push(sixStep(seed, new EtherLink(LOSSY(seed))));
    assertLossy(links);
  });
  it('abortive close from the client and from the server', () => {
    const links: TwoStacks[] = [];
    for (let seed = 1; seed <= SEEDS; seed++) {
      links.push(abortive(seed, new EtherLink(LOSSY(seed)), 'client'));
      links.push(abortive(seed, new EtherLink(LOSSY(seed)), 'server'));
    }
    assertLossy(links);
  });
  it('simultaneous close: CLOSING on a clean link, TIME_WAIT on both ends on every seed', () => {
    const clean = simultaneous(0, new EtherLink({ seed: 0, loss: 0, delay: 2, jitter: 0 }));
    assert.deepEqual(clean.states, ['ESTABLISHED/ESTABLISHED', 'FIN_WAIT_1/FIN_WAIT_1', 'CLOSING/CLOSING', 'TIME_WAIT/TIME_WAIT']);
    const links: TwoStacks[] = [];
    for (let seed = 1; seed <= SEEDS; seed++) links.push(simultaneous(seed, new EtherLink(LOSSY(seed))).link);
    assertLossy(links);
  });
});
