import type { Clock } from '../clock';
import type { W5500Bus } from './bus';
import { SnReg, socketBlock } from './registers';
import { W5500Err } from './errors';

/** What the Sn_CR poll saw besides Sn_CR itself: Sn_CR, Sn_IR and Sn_SR are read in one burst. */
export class CommandResult {
  ir = 0;
  sr = 0;
}

/**
 * Issues a socket command: writes Sn_CR, then polls Sn_CR until the chip has accepted it (reads 0).
 * The poll reads Sn_CR..Sn_SR (0x01–0x03) in one frame, so the caller also learns the socket's
 * interrupt bits and state at no extra cost. A Sn_CR that never clears is a bus fault (CMD_STUCK):
 * on silicon it clears within microseconds.
 */
export function execCommand(bus: W5500Bus, clock: Clock, sn: number, command: number, timeoutMs: number, out: CommandResult): number {
  const block = socketBlock(sn);
  if (!bus.write8(SnReg.Sn_CR, block, command)) return W5500Err.BUS;
  const start = clock.now();
  let wait = 0;
  for (;;) {
    const v = bus.read(SnReg.Sn_CR, block, 3);
    if (!v) return W5500Err.BUS;
    if (v[0] === 0) {
      out.ir = v[1];
      out.sr = v[2];
      return W5500Err.OK;
    }
    if (clock.now() - start >= timeoutMs) return W5500Err.CMD_STUCK;
    // Back off from a tight re-read to 1 ms steps: a slow chip is rare, a stuck one must not spin hot.
    wait = wait === 0 ? 0.1 : Math.min(1, wait * 2);
    clock.pause(wait);
  }
}
