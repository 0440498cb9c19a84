import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { knownBoards, readWiring, repoRoot } from '../../sim/board/wiring';
import { renderAll, renderReadmeTable, renderSection, renderSvg, wireRows } from '../../tools/wiring';

describe('npm run wiring', () => {
  it('the committed boards/README.md and boards/wiring/*.svg are what the board files generate, byte for byte', () => {
    const files = renderAll();
    assert.deepEqual(files.map((f) => f.file), ['boards/README.md', ...knownBoards().map((b) => `boards/wiring/${b}.svg`), 'README.md']);
    for (const f of files) {
      const committed = fs.readFileSync(path.join(repoRoot, f.file), 'utf8');
      assert.equal(committed, f.text, `${f.file} is stale: run npm run wiring`);
    }
    // no picture left behind for a board that is gone
    assert.deepEqual(fs.readdirSync(path.join(repoRoot, 'boards/wiring')).sort(), knownBoards().map((b) => b + '.svg').sort());
  });

  it('every pin of every board file appears in its picture and its table, on the row of its signal', () => {
    for (const name of knownBoards()) {
      const w = readWiring(name);
      const svg = renderSvg(w);
      const section = renderSection(w);
      const pins: [string, string | undefined][] = [['CS', w.cs], ['SCK', w.sck], ['MOSI', w.mosi], ['MISO', w.miso], ['INT', w.int], ['RST', w.rst]];
      for (const [signal, pin] of pins) {
        assert.ok(pin, `${name}: ${signal} is wired in every board file today`);
        assert.ok(svg.includes(`>${pin}</text>`), `${name}: ${signal} pin ${pin} missing from the SVG`);
        assert.match(section, new RegExp(`^\\| ${signal} \\| [^|]+ \\| ${pin} \\|$`, 'm'), `${name}: ${signal} → ${pin} missing from the table`);
      }
      assert.ok(svg.includes(` on ${w.spi}, ${w.baud / 1e6} MHz</text>`), `${name}: SPI port and clock missing from the SVG title`);
    }
  });

  it('the README\'s wiring table has one row per board file with its pins, and links the pictures', () => {
    const readme = fs.readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
    const table = renderReadmeTable(knownBoards().map(readWiring));
    assert.ok(readme.includes(table), 'README.md wiring table is stale: run npm run wiring');
    assert.match(table, /^\| `espruino-pico` \| PICO_R1_3 \| W5500 \| SPI2 \| B13 \| B14 \| B15 \| 8 MHz \| B10 \| A8 \| B3 \|$/m);
    assert.equal(table.split('\n').length, 4 + knownBoards().length);
    assert.ok(readme.includes('[boards/README.md](boards/README.md)'));
  });

  it('the Pico row set is exact: module pin → board pin for all eight wires', () => {
    assert.deepEqual(wireRows(readWiring('espruino-pico')).map((r) => [r.signal, r.modulePin, r.boardPin]), [
      ['CS', 'SCSn', 'B10'], ['SCK', 'SCLK', 'B13'], ['MOSI', 'MOSI', 'B15'], ['MISO', 'MISO', 'B14'],
      ['INT', 'INTn', 'A8'], ['RST', 'RSTn', 'B3'], ['3V3', '3V3', '3.3'], ['GND', 'GND', 'GND'],
    ]);
  });

  it('an ENC28J60 board is drawn with the ENC28J60 pin names, and an unwired INT says so', () => {
    const w = { ...readWiring('espruino-pico'), nic: 'enc28j60', int: undefined };
    assert.deepEqual(wireRows(w).map((r) => [r.modulePin, r.boardPin]), [
      ['CS', 'B10'], ['SCK', 'B13'], ['SI', 'B15'], ['SO', 'B14'], ['INT', undefined], ['RESET', 'B3'], ['VCC', '3.3'], ['GND', 'GND'],
    ]);
    assert.match(renderSection(w), /^\| INT \| INT \| not wired \|$/m);
    assert.ok(renderSvg(w).includes('>INT: not wired</text>'));
  });

  it('a board with a NIC or Espruino id it has no pinout for is a clear error', () => {
    assert.throws(() => wireRows({ ...readWiring('espruino-pico'), nic: 'cs8900' }), /boards\/espruino-pico\.ts: no module pinout for nic "cs8900"/);
    assert.throws(() => wireRows({ ...readWiring('espruino-pico'), espruinoBoard: 'PUCKJS' }), /no power pins known for Espruino board "PUCKJS"/);
  });
});
