/**
 * The conformance suite, unchanged, on the software transport: the ENC28J60 model on a frame pipe with
 * scripted TCP/IP peers in virtual time — a clean wire, and a wire with seeded loss and reordering
 * (checked afterwards to have lost and reordered frames in both directions).
 */
import assert from 'node:assert/strict';
import { conformanceSuite } from './suite';
import { enc28j60FrameRig } from '../../sim/conformance/enc28j60-rig';
import type { Enc28j60FrameRig } from '../../sim/conformance/enc28j60-rig';

conformanceSuite('conformance: ENC28J60, software transport, frame pipe', () => enc28j60FrameRig());

const lossy: Enc28j60FrameRig[] = [];
conformanceSuite('conformance: ENC28J60, software transport, frame pipe with seeded loss (2%) and reordering (5%)', async () => {
  const r = await enc28j60FrameRig({ seed: 7, impair: { delayMs: 0.2, loss: 0.02, reorder: 0.05, reorderMs: 3 } });
  lossy.push(r);
  return r;
});

describe('conformance: ENC28J60 on the lossy frame pipe: the impairments happened', () => {
  it('frames were lost and reordered in both directions over the lossy run', () => {
    let lostA = 0, lostB = 0, reA = 0, reB = 0;
    for (const r of lossy) {
      const c = r.world.pipe.counters;
      lostA += c.a.lost; lostB += c.b.lost; reA += c.a.reordered; reB += c.b.reordered;
    }
    assert.ok(lossy.length > 0);
    assert.ok(lostA > 0 && lostB > 0 && reA > 0 && reB > 0, `lost ${lostA}/${lostB}, reordered ${reA}/${reB} (device→peer / peer→device)`);
  });
});
