/** Variables in use (Espruino's process.memory(), after a garbage collection); typed so that it also compiles for Node. */
export function variablesInUse(): number {
  return (process as unknown as { memory(gc?: boolean): { usage: number } }).memory(true).usage;
}
