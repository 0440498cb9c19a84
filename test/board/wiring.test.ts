import assert from 'node:assert/strict';
import { knownBoards, readWiring } from '../../sim/board/wiring';

describe('board wiring read from boards/', () => {
  it('lists every board file (board × NIC) and reads each one\'s NIC, SPI port and pins by name', () => {
    assert.deepEqual(knownBoards(), ['esp32-devkit', 'esp32-devkit-enc28j60', 'espruino-original', 'espruino-original-enc28j60',
      'espruino-pico', 'espruino-pico-enc28j60', 'espruino-wifi', 'espruino-wifi-enc28j60']);
    const table = knownBoards().map((b) => {
      const w = readWiring(b);
      return [w.name, w.espruinoBoard, w.nic, w.spi, w.sck, w.miso, w.mosi, w.baud, w.cs, w.int, w.rst];
    });
    assert.deepEqual(table, [
      ['esp32-devkit', 'ESP32', 'w5500', 'SPI2', 'D18', 'D19', 'D23', 10000000, 'D5', 'D4', 'D22'],
      ['esp32-devkit-enc28j60', 'ESP32', 'enc28j60', 'SPI2', 'D18', 'D19', 'D23', 10000000, 'D5', 'D4', 'D22'],
      ['espruino-original', 'ESPRUINOBOARD', 'w5500', 'SPI3', 'B3', 'B4', 'B5', 4000000, 'B2', 'C6', 'C7'],
      ['espruino-original-enc28j60', 'ESPRUINOBOARD', 'enc28j60', 'SPI3', 'B3', 'B4', 'B5', 9000000, 'B2', 'C6', 'C7'],
      ['espruino-pico', 'PICO_R1_3', 'w5500', 'SPI2', 'B13', 'B14', 'B15', 8000000, 'B10', 'A8', 'B3'],
      ['espruino-pico-enc28j60', 'PICO_R1_3', 'enc28j60', 'SPI2', 'B13', 'B14', 'B15', 8000000, 'B10', 'A8', 'B3'],
      ['espruino-wifi', 'ESPRUINOWIFI', 'w5500', 'SPI1', 'A5', 'A6', 'A7', 8000000, 'B1', 'B8', 'B9'],
      ['espruino-wifi-enc28j60', 'ESPRUINOWIFI', 'enc28j60', 'SPI1', 'A5', 'A6', 'A7', 8000000, 'B1', 'B8', 'B9'],
    ]);
  });

  it('names the known boards when asked for an unknown one', () => {
    assert.throws(() => readWiring('pico'), { message: 'unknown board "pico"; known boards: esp32-devkit, esp32-devkit-enc28j60, espruino-original, espruino-original-enc28j60, espruino-pico, espruino-pico-enc28j60, espruino-wifi, espruino-wifi-enc28j60' });
  });
});
