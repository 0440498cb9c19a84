/**
 * Which stacks this build carries. In Node (tests, the simulator) every one; the bundle build puts a
 * per-board copy of this module in its place (rollup.config.js), so a board's bundle holds only the
 * stack its NIC needs and the other is dropped as dead code.
 */
/** the W5500 with the offload transport */
export const WITH_OFFLOAD = true;
/** the project's own TCP/IP stack over the ENC28J60 driver */
export const WITH_ENC28J60 = true;
/** the project's own TCP/IP stack over the W5500 in MACRAW mode (hal/w5500/macraw.ts) */
export const WITH_MACRAW = true;
