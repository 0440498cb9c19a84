/**
 * The console of the virtual board as an uploader meets it on a serial port: it reads the lines a board's REPL
 * reads (Ctrl-C drops the line being typed, a leading 0x10 turns echo off) and does what Espruino does with the
 * ones an upload consists of — `reset()`, `require("Storage").write(name, data, offset[, size])` into a Storage
 * kept here, `load()` (runs .bootcde, pretokenised code detokenised first) — and runs any other line at top level.
 */
import vm from 'node:vm';
import { espruinoTools } from './espruino-tools';

/** what the console drives: the board's code runner (which prints its errors) and its reset */
export interface ConsoleBoard {
  run(code: string, name: string): unknown;
  kill(): void;
}

/** espruino-tools' token values (plugins/pretokenise.js, from Espruino's jslex.c) */
const LEX_OPERATOR_START = 138;
const LEX_RAW_STRING8 = 0xd1;
const LEX_RAW_STRING16 = 0xd2;
const LEX_RAW_INT0 = 0xd3;
const LEX_RAW_INT8 = 0xd4;
const LEX_RAW_INT16 = 0xd5;

let tokenNames: string[] | undefined;

/** loads espruino-tools' token table (once) */
export async function loadTokens(): Promise<void> {
  if (tokenNames) return;
  const tools = await espruinoTools();
  const names: string[] = [];
  for (let id = LEX_OPERATOR_START; id < LEX_RAW_STRING8 && tools.isTokenised(String.fromCharCode(id)); id++) names.push(tools.untokenise(String.fromCharCode(id)).trim());
  tokenNames = names;
}

/** JS source from code as espruino-tools pretokenises it (keywords and operators as bytes ≥ 138, raw strings and ints) */
export function detokenise(code: string): string {
  if (!tokenNames) throw new Error('loadTokens() first');
  let out = '';
  for (let i = 0; i < code.length; i++) {
    const ch = code.charCodeAt(i);
    if (ch < LEX_OPERATOR_START) { out += code[i]; continue; }
    if (ch === LEX_RAW_STRING8 || ch === LEX_RAW_STRING16) {
      const wide = ch === LEX_RAW_STRING16;
      const len = wide ? code.charCodeAt(i + 1) | (code.charCodeAt(i + 2) << 8) : code.charCodeAt(i + 1);
      const at = i + (wide ? 3 : 2);
      out += JSON.stringify(code.substring(at, at + len));
      i = at + len - 1;
    } else if (ch === LEX_RAW_INT0) {
      out += ' 0 ';
    } else if (ch === LEX_RAW_INT8) {
      const v = code.charCodeAt(i + 1);
      out += ' ' + (v > 127 ? v - 256 : v) + ' ';
      i += 1;
    } else if (ch === LEX_RAW_INT16) {
      const v = code.charCodeAt(i + 1) | (code.charCodeAt(i + 2) << 8);
      out += ' ' + (v > 32767 ? v - 65536 : v) + ' ';
      i += 2;
    } else if (ch - LEX_OPERATOR_START < tokenNames.length) {
      out += ' ' + tokenNames[ch - LEX_OPERATOR_START] + ' ';
    } else {
      throw new Error(`byte ${ch} at ${i} is no token espruino-tools writes`);
    }
  }
  return out;
}

export class VirtualConsole {
  /** Storage files, as latin1 strings */
  readonly storage = new Map<string, string>();
  private line = '';

  constructor(private board: ConsoleBoard, private print: (text: string) => void) {}

  /** bytes from the serial port */
  input(data: string): void {
    for (const c of data) {
      if (c === '\x03') { this.line = ''; continue; }
      if (c === '\n' || c === '\r') {
        const l = this.line;
        this.line = '';
        if (l.length) this.execute(l);
        continue;
      }
      this.line += c;
    }
  }

  private execute(raw: string): void {
    const l = raw.replace(/^\x10/, '').trim();
    if (!l.length) return;
    if (/^reset\(\);?$/.test(l)) { this.board.kill(); return; }
    if (/^load\(\);?$/.test(l)) { this.load(); return; }
    const w = /^require\("Storage"\)\.write\((.*)\);?$/.exec(l);
    if (w) { this.write(w[1]); return; }
    // an error is on the console already, as the board printed it
    this.board.run(l, 'console');
  }

  private write(argsSource: string): void {
    // the arguments are literals as espruino-tools writes them: evaluate them apart from the board
    const args = vm.runInNewContext('[' + argsSource + ']', {}, { timeout: 1000 }) as unknown[];
    const [name, data, offset, size] = args as [string, string, number | undefined, number | undefined];
    if (typeof name !== 'string' || typeof data !== 'string') { this.print('Uncaught Error: Storage.write wants a name and data'); return; }
    const at = offset ?? 0;
    let file = this.storage.get(name) ?? '';
    if (at === 0) file = size !== undefined ? '\xff'.repeat(size) : data;
    if (at + data.length > file.length) { this.print(`Uncaught Error: Storage.write past the end of ${name}`); return; }
    this.storage.set(name, file.slice(0, at) + data + file.slice(at + data.length));
  }

  private load(): void {
    const code = this.storage.get('.bootcde');
    this.board.kill();
    if (code === undefined) return;
    this.board.run(detokenise(code), '.bootcde');
  }
}
