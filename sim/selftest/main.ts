/**
 * The self-test that runs on Espruino itself (dist/selftest.js, `npm run build:selftest`): the firmware over
 * the W5500 model and scripted peers on one virtual clock, in one thread. It runs the core scenarios, then
 * connection lifecycles of 64 KiB each while watching the variables in use, and prints `N passed, N failed`
 * and `process.memory().usage` last. No chip is needed.
 */
import { SCENARIOS } from './scenarios';
import { lifecycles } from './lifecycles';
import { variablesInUse } from './memory';
import { SelfRig } from './rig';


function report(line: string): void {
  console.log('selftest: ' + line);
}

function selftest(): void {
  let passed = 0;
  let failed = 0;
  // one rig for every check: on 2v29 an object whose lock count reaches its ceiling (15) stays locked for
  // good, so a rig per scenario would leave each earlier rig in memory (sim/selftest/README.md)
  const r = new SelfRig();
  for (let i = 0; i < SCENARIOS.length; i++) {
    const sc = SCENARIOS[i];
    try {
      sc.run(r);
      passed++;
      report('ok ' + sc.name);
    } catch (e) {
      failed++;
      report('FAIL ' + sc.name + ': ' + (e as Error).message);
    }
  }
  try {
    const m = lifecycles(r, 20, 65536);
    passed++;
    report('ok 20 lifecycles of 64 KiB, variables in use after each: ' + m.join(' '));
  } catch (e) {
    failed++;
    report('FAIL 20 lifecycles of 64 KiB: ' + (e as Error).message);
  }
  r.close();
  report(passed + ' passed, ' + failed + ' failed');
  report('process.memory().usage ' + variablesInUse());
}

selftest();
