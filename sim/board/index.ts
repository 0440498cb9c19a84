export { VirtualBoard } from './virtual-board';
export type { VirtualBoardOptions, BoardLog, BoardError, SpiRecord, PinWriteRecord } from './virtual-board';
export { ChipPin } from './chip';
export type { SpiChip, PinSource } from './chip';
export { W5500RegisterStub } from './register-stub';
export { readWiring, knownBoards, repoRoot } from './wiring';
export type { BoardWiring } from './wiring';
export { profiles, profileFor } from './profiles';
