/**
 * What the virtual board and the flash tool need to know about each Espruino board id: the pins
 * it names, its JsVar count (espruino.md §4), its SPI ports and its firmware's built-in modules.
 */
export interface BoardProfile {
  espruinoBoard: string;
  /** human name, as espruino-tools shows it */
  title: string;
  /** chip family as in Espruino's board JSON (espruino-tools uses it for ARM Thumb checks) */
  family: string;
  part: string;
  /** process.memory().total */
  variables: number;
  /** process.memory().blocksize */
  blocksize: number;
  /** JSVAR_DATA_STRING_NAME_LEN: 4 on a 32-bit board, 8 on a 64-bit build */
  nameLen: number;
  spiPorts: string[];
  pins: string[];
  builtinModules: string[];
}

function range(port: string, from: number, to: number): string[] {
  const out: string[] = [];
  for (let i = from; i <= to; i++) out.push(port + i);
  return out;
}

const stm32Pins = [...range('A', 0, 15), ...range('B', 0, 15), ...range('C', 0, 15)];
const netModules = ['net', 'dgram', 'http', 'NetworkJS'];

export const profiles: Record<string, BoardProfile> = {
  PICO_R1_3: {
    espruinoBoard: 'PICO_R1_3', title: 'Espruino Pico', family: 'STM32F4', part: 'STM32F401CDU6',
    variables: 5100, blocksize: 13, nameLen: 4, spiPorts: ['SPI1', 'SPI2', 'SPI3'], pins: stm32Pins,
    builtinModules: ['Flash', 'Storage', 'heatshrink', ...netModules, 'crypto', 'neopixel'],
  },
  ESPRUINOWIFI: {
    espruinoBoard: 'ESPRUINOWIFI', title: 'Espruino WiFi', family: 'STM32F4', part: 'STM32F411CEU6',
    variables: 8190, blocksize: 13, nameLen: 4, spiPorts: ['SPI1', 'SPI2', 'SPI3'], pins: stm32Pins,
    builtinModules: ['Flash', 'Storage', 'heatshrink', ...netModules, 'WIZnet', 'Wifi', 'crypto', 'tls', 'neopixel'],
  },
  ESPRUINOBOARD: {
    espruinoBoard: 'ESPRUINOBOARD', title: 'Original Espruino', family: 'STM32F1', part: 'STM32F103RCT6',
    variables: 2756, blocksize: 13, nameLen: 4, spiPorts: ['SPI1', 'SPI2', 'SPI3'], pins: stm32Pins,
    // the standard Original firmware has no networking (espruino.md §5)
    builtinModules: ['Flash', 'Storage', 'heatshrink'],
  },
  ESP32: {
    espruinoBoard: 'ESP32', title: 'ESP32', family: 'ESP32', part: 'ESP32',
    variables: 16383, blocksize: 14, nameLen: 4, spiPorts: ['SPI1', 'SPI2'], pins: range('D', 0, 39),
    builtinModules: ['Flash', 'Storage', 'heatshrink', ...netModules, 'Wifi', 'ESP32', 'TelnetServer', 'crypto', 'tls', 'neopixel'],
  },
  // the 64-bit Linux build of 2v29 with 5,100 variables (`VARIABLES=5100 make BOARD=LINUX`), on which the
  // variable counts of test/board/variables.test.ts were measured
  LINUX_5100: {
    espruinoBoard: 'LINUX_5100', title: 'Espruino 2v29 Linux build, 5,100 variables', family: 'LINUX', part: 'x86_64',
    variables: 5100, blocksize: 17, nameLen: 8, spiPorts: [], pins: range('D', 0, 32),
    builtinModules: ['Flash', 'Storage', 'heatshrink', ...netModules],
  },
};

export function profileFor(espruinoBoard: string): BoardProfile {
  const p = profiles[espruinoBoard];
  if (!p) throw new Error(`no profile for Espruino board "${espruinoBoard}"; known: ${Object.keys(profiles).join(', ')}`);
  return p;
}
