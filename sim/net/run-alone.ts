/**
 * Runs a driver or a transport on its own, without the socket layer's event loop: the one timer
 * (hal/service-loop.ts) that the event loop would keep, for rigs and tests that drive a layer below.
 */
import type { Clock } from '../../hal/clock';
import { ServiceLoop } from '../../hal/service-loop';
import type { FrameDriver } from '../../hal/frame-driver';
import type { W5500 } from '../../hal/w5500/driver';

/** a W5500 driver's poll at its deadlines and wake requests (set before `begin`) */
export function runW5500(clock: Clock, d: W5500): ServiceLoop {
  const loop = new ServiceLoop(clock, () => { d.poll(); return d.nextDue(); });
  d.wake = (at) => loop.at(at);
  return loop;
}

/** a frame driver's service at its deadlines and wake requests (set before `begin`) */
export function runFrameDriver(clock: Clock, d: FrameDriver): ServiceLoop {
  const loop = new ServiceLoop(clock, () => d.service(clock.now()));
  d.setWake((at) => loop.at(at));
  return loop;
}
