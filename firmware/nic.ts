/**
 * Which network controller a board carries, with the options that belong to it. The board file
 * names it (boards/board.ts `nic`); startNetwork (runtime.ts) builds the driver and the transport
 * for it.
 */

export type NicName = 'w5500' | 'enc28j60' | 'w5500-macraw';

/** WIZnet W5500, TCP/IP in silicon: the offload transport */
export interface W5500Nic {
  name: 'w5500';
  /** close connections left on the chip by an MCU reset with CLOSE at once instead of DISCON + wait */
  hardResetStaleSockets: boolean;
}

/** Microchip ENC28J60, MAC only: needs the software TCP/IP transport */
export interface Enc28j60Nic {
  name: 'enc28j60';
  /** full duplex (the chip cannot negotiate: set only when the switch port is forced to full duplex); default half */
  fullDuplex?: boolean;
  /** the board's memory for the software stack (boards/board.ts Enc28j60Board): frames waiting for the chip, bytes per connection queue */
  txQueueBytes?: number;
  tcpBufBytes?: number;
  /** the longest frame received (hal/enc28j60/driver.ts maxFrame) */
  maxFrameBytes?: number;
}

/** W5500 with socket 0 in MACRAW mode (hal/w5500/macraw.ts): the chip as a MAC under the software TCP/IP transport */
export interface W5500MacrawNic {
  name: 'w5500-macraw';
  /** let multicast frames in (the chip's Sn_MR.MMB off); default off: the stack needs only unicast and broadcast */
  multicast?: boolean;
}

export type NicConfig = W5500Nic | Enc28j60Nic | W5500MacrawNic;

/** startNetwork's own failures (a failed bring-up gives the driver's code instead) */
export const enum NetErr {
  /** the board names a NIC this firmware has no transport for */
  NIC_UNSUPPORTED = -100,
  /** ip, subnet or gateway is not a dotted IPv4 address */
  BAD_ADDRESS = -101,
}
