/**
 * npm run fuzz [-- --frames N --seed S]: feeds N (default 1,000,000) seeded mutations of captured
 * frames to a live firmware/net interface and checks every invariant after every frame (sim/net/stack-fuzz.ts).
 * Exit code 1 on the first escaped exception or broken invariant, printed with the frame.
 */
import { fuzz } from '../sim/net/stack-fuzz';
import { fuzzTcp } from '../sim/net/stack-fuzz-tcp';
import { optionsOrExit } from './cli';
import { Progress } from './progress';

optionsOrExit({
  usage: 'npm run fuzz --',
  about: 'Feeds seeded mutations of captured frames to a live firmware/net interface, checking every invariant after every frame.',
  options: [
    { name: 'frames', value: 'N', type: 'int', help: 'mutated frames to try (default 1000000)' },
    { name: 'seed', value: 'S', type: 'int', help: 'the seed (default 1)' },
  ],
}, process.argv.slice(2), 'fuzz');

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf('--' + name);
  if (i < 0) return dflt;
  const v = Number(process.argv[i + 1]);
  if (!(v >= 0) || Math.floor(v) !== v) {
    console.error(`--${name} wants a non-negative integer`);
    process.exit(2);
  }
  return v;
}

const frames = arg('frames', 1000000);
const seed = arg('seed', 1);
const progress = new Progress('fuzz', frames);
const r = fuzz(frames, seed, fuzzTcp(), (n) => progress.update(n));
progress.clear();
const delivered = r.delivered.arp + r.delivered.icmpEcho + r.delivered.udp + r.delivered.upper;
console.log(`net fuzz: ${r.frames} frames tried (seed ${seed}) in ${(r.ms / 1000).toFixed(1)} s, ${Math.round(r.frames / (r.ms / 1000))} frames/s`);
console.log(`live frames from the peer host, between them: ${r.live}`);
console.log(`delivered (mutated and live): ARP ${r.delivered.arp}, ICMP echo ${r.delivered.icmpEcho}, UDP ${r.delivered.udp}, TCP ${r.delivered.upper}; frames sent ${r.sent}`);
console.log(`dropped by reason (${r.frames + r.live - delivered} received frames; tx-* are outgoing datagrams):`);
for (const k of Object.keys(r.drops)) console.log(`  ${k.padEnd(16)} ${r.drops[k]}`);
console.log('TCP: ' + r.tcp);
if (r.failure) {
  console.log('FAILED: ' + r.failure);
  process.exit(1);
}
console.log('no exception escaped, every invariant held after every frame');
