// What Espruino 2v29 has and @types/espruino (written for 1v9x) does not declare.
declare function setTimeout(fn: () => void, ms: number): number;
declare function clearTimeout(id: number): void;
declare function setInterval(fn: () => void, ms: number): number;
declare function clearInterval(id: number): void;
declare var console: { log(...args: any[]): void };
// STM32 port pins (the typings only declare D0..D39).
declare var A0: Pin, A1: Pin, A2: Pin, A3: Pin, A4: Pin, A5: Pin, A6: Pin, A7: Pin, A8: Pin, A9: Pin, A10: Pin, A11: Pin, A12: Pin, A13: Pin, A14: Pin, A15: Pin, B0: Pin, B1: Pin, B2: Pin, B3: Pin, B4: Pin, B5: Pin, B6: Pin, B7: Pin, B8: Pin, B9: Pin, B10: Pin, B11: Pin, B12: Pin, B13: Pin, B14: Pin, B15: Pin, C0: Pin, C1: Pin, C2: Pin, C3: Pin, C4: Pin, C5: Pin, C6: Pin, C7: Pin, C8: Pin, C9: Pin, C10: Pin, C11: Pin, C12: Pin, C13: Pin, C14: Pin, C15: Pin;
// SPI.write takes any number of items; a Pin given last is the chip select.
interface SPI {
  write(...items: any[]): void;
}
declare namespace E {
  function on(event: string, fn: (...args: any[]) => void): void;
}
declare var process: { memory(gc?: boolean): { free: number; usage: number; total: number }; env: { BOARD: string; VERSION: string } };
