/// <reference types="espruino" />
import type { InputPin, OutputPin } from '../pins';
import { Edge } from '../pins';

export class EspruinoOutputPin implements OutputPin {
  pin: Pin;
  constructor(pin: Pin, initial: boolean) {
    this.pin = pin;
    digitalWrite(pin, initial ? 1 : 0);
  }
  write(high: boolean): void {
    digitalWrite(this.pin, high ? 1 : 0);
  }
}

export class EspruinoInputPin implements InputPin {
  pin: Pin;
  constructor(pin: Pin) {
    this.pin = pin;
    pinMode(pin, 'input_pullup', false);
  }
  read(): boolean {
    return digitalRead(this.pin) === 1;
  }
  watch(edge: Edge, fn: (high: boolean) => void): number {
    const e = edge === Edge.Rising ? 'rising' : edge === Edge.Falling ? 'falling' : 'both';
    return setWatch(function (ev: any) { fn(!!ev.state); }, this.pin, { repeat: true, edge: e, debounce: 0 }) as any;
  }
  unwatch(handle: number): void {
    if (handle) clearWatch(handle);
  }
}
