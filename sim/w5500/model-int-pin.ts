/**
 * INTn of a chip model in this thread, as the driver reads it: the chip's level at this moment, so
 * the model catches up first (silicon runs on its own; the model only when asked).
 */
import type { Clock } from '../../hal/clock';
import { NodePin } from '../../hal/node/pins';
import type { W5500Model } from './model';

export class ModelIntPin extends NodePin {
  constructor(clock: Clock, private model: W5500Model) {
    super(clock, model.intn);
    model.onIntn((high) => this.write(high));
  }
  read(): boolean {
    this.model.advance();
    return super.read();
  }
}
