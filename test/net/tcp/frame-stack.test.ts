/**
 * The teardown scenarios again, now with each stack whole (Ethernet, ARP, IPv4, TCP) and the segments
 * crossing the shared frame pipe (sim/net/frame-pipe.ts) as frames, impaired and seeded.
 */
import assert from 'node:assert/strict';
import { EtherLink } from './frame-stacks';
import { Stat } from '../../../firmware/net/iface';
import { TcpCount } from '../../../firmware/net/tcp/constants';
import type { TwoStacks } from './two-stacks';
import type { Impairments } from '../../../sim/net/frame-pipe';
import { abortive, assertLossy, simultaneous, sixStep } from './scenarios';

const SEEDS = 16;
/** 8% loss, jitter and held-back frames (reordering), 2% duplicates, 2% single-bit corruption that only the IPv4/TCP checksums can catch */
const LOSSY: Impairments = { delayMs: 2, jitterMs: 20, loss: 0.08, reorder: 0.1, reorderMs: 15, duplicate: 0.02, corrupt: 0.02, corruptKeepsFcs: true };
const CLEAN: Impairments = { delayMs: 2 };

describe('two whole stacks over Ethernet frames (ARP, IPv4, TCP) on the shared frame pipe: seeded loss, reordering, duplicates, corruption', () => {
  it('the six-step teardown on a clean link, then ' + SEEDS + ' lossy seeds, byte-exact, steps in order', () => {
    const clean = sixStep(0, new EtherLink(0, CLEAN)) as EtherLink;
    // every segment went up through IPv4: as many datagrams handed to TCP as the other side sent frames with them
    assert.ok(clean.ifA.stats[Stat.RX_UPPER] > 5 && clean.ifB.stats[Stat.RX_UPPER] > 5);
    assert.equal(clean.a.tcp.counts[TcpCount.SEGMENTS_IN], clean.ifA.stats[Stat.RX_UPPER], 'SEGMENTS_IN = datagrams from IPv4');
    const links: TwoStacks[] = [];
    for (let seed = 1; seed <= SEEDS; seed++) links.push(sixStep(seed, new EtherLink(seed, LOSSY)));
    assertLossy(links);
  });
  it('abortive close from the client and from the server', () => {
    const links: TwoStacks[] = [];
    for (let seed = 1; seed <= SEEDS; seed++) {
      links.push(abortive(seed, new EtherLink(seed, LOSSY), 'client'));
      links.push(abortive(seed, new EtherLink(seed, LOSSY), 'server'));
    }
    assertLossy(links);
  });
  it('simultaneous close: CLOSING on a clean link, TIME_WAIT on both ends on every seed', () => {
    const clean = simultaneous(0, new EtherLink(0, CLEAN));
    assert.deepEqual(clean.states, ['ESTABLISHED/ESTABLISHED', 'FIN_WAIT_1/FIN_WAIT_1', 'CLOSING/CLOSING', 'TIME_WAIT/TIME_WAIT']);
    const links: TwoStacks[] = [];
    for (let seed = 1; seed <= SEEDS; seed++) links.push(simultaneous(seed, new EtherLink(seed, LOSSY)).link);
    assertLossy(links);
  });
});
