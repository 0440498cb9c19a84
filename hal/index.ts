export { SpiOp } from './spi';
export type { SpiDevice, SpiOperation } from './spi';
export { Edge } from './pins';
export type { InputPin, OutputPin } from './pins';
export type { Clock } from './clock';
