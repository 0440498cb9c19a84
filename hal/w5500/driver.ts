import type { W5500Options } from './state';
import { W5500Records } from './records';

export type { W5500Options } from './state';
export { W5500Sockets } from './sockets';

/**
 * The W5500 driver: bring-up and the hardware sockets' commands (sockets.ts), with datagrams and MACRAW frames
 * (records.ts). Every call is synchronous and returns a result code (W5500Err, negative) or a count; events go up
 * through the handler, always from a later turn of the event loop, never from inside a call.
 */
export class W5500 extends W5500Records {
  constructor(opts: W5500Options) {
    super(opts);
  }
}
