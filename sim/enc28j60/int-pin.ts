/**
 * INT of an ENC28J60 model in this thread, as a driver reads it: the chip's level at this moment, so the model
 * catches up first (silicon runs on its own; the model only when asked).
 */
import type { Clock } from '../../hal/clock';
import { NodePin } from '../../hal/node/pins';
import type { Enc28j60Model } from './model';

export class EncModelIntPin extends NodePin {
  constructor(clock: Clock, private model: Enc28j60Model) {
    super(clock, model.intn);
    model.onIntn((high) => this.write(high));
  }
  read(): boolean {
    this.model.advance();
    return super.read();
  }
}
