import type { SpiDevice } from '../../hal/spi';
import type { InputPin, OutputPin } from '../../hal/pins';
import type { Clock } from '../../hal/clock';
import type { NicConfig } from '../nic';

/** What a board hands an application: which NIC, its SPI device and pins, a clock and a log line sink. */
export interface BoardHal {
  board: string;
  nic: NicConfig;
  spi: SpiDevice;
  int: InputPin | undefined;
  rst: OutputPin | undefined;
  clock: Clock;
  log: (line: string) => void;
  /** the board file's bound on closing every connection at kill, ms (undefined: the runtime's default) */
  killBoundMs?: number;
}

/** An application starts on a board and returns a function that stops it (clears its timers and watches). */
export type App = (hal: BoardHal) => () => void;
