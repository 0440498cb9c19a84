/**
 * `npm run wiring`: writes boards/README.md (a table per board), boards/wiring/<board>.svg (a picture per board) and
 * the wiring table of the top-level README.md from the board files, so the pictures cannot disagree with what the firmware is built for.
 * test/tools/wiring.test.ts regenerates them in memory and compares them with the committed files.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { knownBoards, readWiring, repoRoot, type BoardWiring } from '../sim/board/wiring';

/** the eight wires between the module and the board, in drawing order */
export const SIGNALS = ['CS', 'SCK', 'MOSI', 'MISO', 'INT', 'RST', '3V3', 'GND'] as const;
export type Signal = (typeof SIGNALS)[number];

/** each controller's pin names as its datasheet spells them (W5500 §2.1, ENC28J60 Table 1-1) */
const MODULE_PINS: Record<string, { chip: string; pins: Record<Signal, string> }> = {
  'w5500': { chip: 'W5500', pins: { CS: 'SCSn', SCK: 'SCLK', MOSI: 'MOSI', MISO: 'MISO', INT: 'INTn', RST: 'RSTn', '3V3': '3V3', GND: 'GND' } },
  'w5500-macraw': { chip: 'W5500 (MACRAW)', pins: { CS: 'SCSn', SCK: 'SCLK', MOSI: 'MOSI', MISO: 'MISO', INT: 'INTn', RST: 'RSTn', '3V3': '3V3', GND: 'GND' } },
  'enc28j60': { chip: 'ENC28J60', pins: { CS: 'CS', SCK: 'SCK', MOSI: 'SI', MISO: 'SO', INT: 'INT', RST: 'RESET', '3V3': 'VCC', GND: 'GND' } },
};

/** the power pins as printed on each board (by Espruino id); the board files carry only the signal pins */
const POWER_PINS: Record<string, { v33: string; gnd: string }> = {
  PICO_R1_3: { v33: '3.3', gnd: 'GND' },
  ESPRUINOWIFI: { v33: '3.3', gnd: 'GND' },
  ESPRUINOBOARD: { v33: '3.3', gnd: 'GND' },
  ESP32: { v33: '3V3', gnd: 'GND' },
};

const COLOURS: Record<Signal, string> = {
  CS: '#e67e00', SCK: '#b8860b', MOSI: '#1f5fbf', MISO: '#1e8c3a', INT: '#8a2be2', RST: '#8b4513', '3V3': '#d01c1c', GND: '#222222',
};

/** one row of a board's wiring: the module's pin and the board's pin it goes to (undefined: not wired) */
export interface WireRow { signal: Signal; modulePin: string; boardPin: string | undefined }

export function wireRows(w: BoardWiring): WireRow[] {
  const mod = MODULE_PINS[w.nic];
  if (!mod) throw new Error(`boards/${w.name}.ts: no module pinout for nic "${w.nic}"`);
  const power = POWER_PINS[w.espruinoBoard];
  if (!power) throw new Error(`boards/${w.name}.ts: no power pins known for Espruino board "${w.espruinoBoard}" (add it to tools/wiring.ts)`);
  const board: Record<Signal, string | undefined> = {
    CS: w.cs, SCK: w.sck, MOSI: w.mosi, MISO: w.miso, INT: w.int, RST: w.rst, '3V3': power.v33, GND: power.gnd,
  };
  return SIGNALS.map((signal) => ({ signal, modulePin: mod.pins[signal], boardPin: board[signal] }));
}

function chipName(w: BoardWiring): string {
  return MODULE_PINS[w.nic].chip;
}

function mhz(baud: number): string {
  return `${baud / 1e6} MHz`;
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** the picture of one board: the board on the left, the module on the right, one labelled wire per signal */
export function renderSvg(w: BoardWiring): string {
  const rows = wireRows(w);
  const top = 92, step = 34, width = 720, boardX = 30, boardW = 210, modX = 480, modW = 210;
  const height = top + rows.length * step + 40;
  const boxTop = top - 34, boxH = rows.length * step + 30;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="DejaVu Sans, Arial, sans-serif">`);
  out.push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`);
  out.push(`<text x="${width / 2}" y="28" font-size="18" font-weight="bold" text-anchor="middle">${esc(w.name)}: ${esc(chipName(w))} on ${esc(w.spi)}, ${esc(mhz(w.baud))}</text>`);
  out.push(`<text x="${width / 2}" y="48" font-size="12" fill="#555555" text-anchor="middle">generated from boards/${esc(w.name)}.ts by npm run wiring</text>`);
  out.push(`<rect x="${boardX}" y="${boxTop}" width="${boardW}" height="${boxH}" rx="8" fill="#2f6b3a" stroke="#1b3f22" stroke-width="2"/>`);
  out.push(`<text x="${boardX + 14}" y="${boxTop + 20}" font-size="14" font-weight="bold" fill="#ffffff">${esc(w.name)}</text>`);
  out.push(`<text x="${boardX + 14}" y="${boxTop + 36}" font-size="11" fill="#dfeee2">${esc(w.espruinoBoard)}</text>`);
  out.push(`<rect x="${modX}" y="${boxTop}" width="${modW}" height="${boxH}" rx="8" fill="#1d3f73" stroke="#0f2445" stroke-width="2"/>`);
  out.push(`<text x="${modX + modW - 14}" y="${boxTop + 20}" font-size="14" font-weight="bold" fill="#ffffff" text-anchor="end">${esc(chipName(w))} module</text>`);
  rows.forEach((r, i) => {
    const y = top + 20 + i * step;
    const colour = COLOURS[r.signal];
    const bx = boardX + boardW, mx = modX;
    // board side: pin name inside the board, pin pad on its edge
    out.push(`<text x="${bx - 16}" y="${y + 5}" font-size="14" font-weight="bold" fill="#ffffff" text-anchor="end">${esc(r.boardPin === undefined ? '(none)' : r.boardPin)}</text>`);
    out.push(`<rect x="${bx - 6}" y="${y - 6}" width="12" height="12" fill="#d4af37" stroke="#7a6318"/>`);
    // module side: datasheet pin name inside the module
    out.push(`<rect x="${mx - 6}" y="${y - 6}" width="12" height="12" fill="#d4af37" stroke="#7a6318"/>`);
    out.push(`<text x="${mx + 16}" y="${y + 5}" font-size="14" font-weight="bold" fill="#ffffff">${esc(r.modulePin)}</text>`);
    if (r.boardPin === undefined) {
      out.push(`<text x="${(bx + mx) / 2}" y="${y + 5}" font-size="12" fill="#777777" text-anchor="middle">${esc(r.signal)}: not wired</text>`);
    } else {
      out.push(`<line x1="${bx + 6}" y1="${y}" x2="${mx - 6}" y2="${y}" stroke="${colour}" stroke-width="4" stroke-linecap="round"/>`);
      out.push(`<text x="${(bx + mx) / 2}" y="${y - 6}" font-size="12" font-weight="bold" fill="${colour}" text-anchor="middle">${esc(r.signal)}</text>`);
    }
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}

/** one board's section of boards/README.md */
export function renderSection(w: BoardWiring): string {
  const lines = [
    `## ${w.name}`,
    '',
    `Espruino id ${w.espruinoBoard}; ${chipName(w)} on ${w.spi} at ${mhz(w.baud)} (SPI mode 0, MSB first).`,
    '',
    `![${w.name} wiring](wiring/${w.name}.svg)`,
    '',
    `| signal | ${chipName(w)} module pin | ${w.name} pin |`,
    '|---|---|---|',
  ];
  for (const r of wireRows(w)) lines.push(`| ${r.signal} | ${r.modulePin} | ${r.boardPin === undefined ? 'not wired' : r.boardPin} |`);
  return lines.join('\n') + '\n';
}

export function renderReadme(boards: BoardWiring[]): string {
  const head = [
    '# Wiring',
    '',
    'Generated from the board files (`boards/*.ts`) by `npm run wiring`; do not edit by hand. A test checks that this',
    'file and the pictures in `wiring/` match the board files.',
    '',
    'Every board wires exactly one controller, named by its file\'s `nic`. INT and RST are optional in a board file:',
    'without INT the driver polls, without RST it resets the chip by command. Power the module from 3.3 V.',
    '',
  ].join('\n');
  return head + '\n' + boards.map(renderSection).join('\n');
}

const TABLE_START = '<!-- wiring table: generated from boards/*.ts by npm run wiring -->';
const TABLE_END = '<!-- end of wiring table -->';

/** the table of every board in the top-level README, between its two markers */
export function renderReadmeTable(boards: BoardWiring[]): string {
  const lines = [
    TABLE_START,
    '| board (`boards/…`) | Espruino id | NIC | SPI | SCK | MISO | MOSI | clock | CS | INT | RST |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const w of boards) {
    lines.push(`| \`${w.name}\` | ${w.espruinoBoard} | ${chipName(w)} | ${w.spi} | ${w.sck} | ${w.miso} | ${w.mosi} | ${mhz(w.baud)} | ${w.cs} | ${w.int ?? '—'} | ${w.rst ?? '—'} |`);
  }
  lines.push(TABLE_END);
  return lines.join('\n');
}

/** the README with its wiring table replaced by `table` (an error when the markers are missing) */
export function withReadmeTable(readme: string, table: string): string {
  const a = readme.indexOf(TABLE_START);
  const b = readme.indexOf(TABLE_END);
  if (a < 0 || b < a) throw new Error(`README.md has no wiring table markers (${TABLE_START} … ${TABLE_END})`);
  return readme.slice(0, a) + table + readme.slice(b + TABLE_END.length);
}

/** every generated file, by path relative to the repository root */
export function renderAll(): { file: string; text: string }[] {
  const boards = knownBoards().map(readWiring);
  const files = boards.map((w) => ({ file: `boards/wiring/${w.name}.svg`, text: renderSvg(w) }));
  files.unshift({ file: 'boards/README.md', text: renderReadme(boards) });
  const readme = fs.readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
  files.push({ file: 'README.md', text: withReadmeTable(readme, renderReadmeTable(boards)) });
  return files;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  for (const f of renderAll()) {
    const p = path.join(repoRoot, f.file);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, f.text);
    console.log(`wrote ${f.file}`);
  }
}
