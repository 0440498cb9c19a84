/**
 * The firmware is type-checked against Espruino 2v29's built-ins (types/espruino-builtins.d.ts,
 * tsconfig.json with noLib), not Node's: a line that Node runs correctly but Espruino does not
 * must fail `npm run typecheck`. Each case compiles one virtual firmware file with the project's
 * own compiler options and its own library files, and compares the diagnostics exactly.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import ts from 'typescript';
import { repoRoot } from '../../sim/board/wiring';

const FIXTURE = path.join(repoRoot, 'firmware', '__typecheck_fixture__.ts');

function projectConfig(): ts.ParsedCommandLine {
  const parsed = ts.getParsedCommandLineOfConfigFile(path.join(repoRoot, 'tsconfig.json'), {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => { throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n')); },
  });
  if (!parsed) throw new Error('tsconfig.json did not parse');
  return parsed;
}

const config = projectConfig();
// the declaration files the project compiles with (the Espruino library and hardware globals)
const libraryFiles = config.fileNames.filter((f) => f.endsWith('.d.ts'));

/** "line:col TScode message" for every diagnostic of the fixture */
function diagnostics(source: string): string[] {
  const host = ts.createCompilerHost(config.options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, lang, onError, create) =>
    path.resolve(name) === FIXTURE ? ts.createSourceFile(name, source, lang) : getSourceFile(name, lang, onError, create);
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => path.resolve(name) === FIXTURE || fileExists(name);
  const program = ts.createProgram([...libraryFiles, FIXTURE], config.options, host);
  const file = program.getSourceFile(FIXTURE)!;
  return ts.getPreEmitDiagnostics(program, file).map((d) => {
    const at = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : { line: -1, character: -1 };
    return `${at.line + 1}:${at.character + 1} TS${d.code} ${ts.flattenDiagnosticMessageText(d.messageText, ' | ')}`;
  });
}

describe('typecheck: firmware against Espruino 2v29\'s built-ins (types/espruino-builtins.d.ts)', function () {
  this.timeout(60000);

  it('tsconfig.json compiles firmware/, hal/, boards/ and examples/ with no default library, only the project\'s', () => {
    assert.equal(config.options.noLib, true);
    assert.equal(config.options.lib, undefined);
    assert.ok(libraryFiles.some((f) => f.endsWith('types/espruino-builtins.d.ts')), libraryFiles.join(', '));
    for (const dir of ['firmware', 'hal', 'boards', 'examples']) {
      assert.ok(config.fileNames.some((f) => f.startsWith(path.join(repoRoot, dir) + path.sep)), dir);
    }
  });

  it('a typed array\'s slice() used as a Uint8Array fails: on Espruino it is a plain Array', () => {
    const source = [
      'const buf = new Uint8Array(8);',
      'let pending: Uint8Array | undefined;',
      'pending = buf.slice(2, 5);',
      'export const held: Uint8Array = buf.slice(1);',
    ].join('\n');
    assert.deepEqual(diagnostics(source), [
      "3:1 TS2739 Type 'number[]' is missing the following properties from type 'EspruinoTypedArray<Uint8Array, \"Uint8Array\">': set, subarray, buffer, byteLength, byteOffset",
      "4:14 TS2739 Type 'number[]' is missing the following properties from type 'EspruinoTypedArray<Uint8Array, \"Uint8Array\">': set, subarray, buffer, byteLength, byteOffset",
    ]);
  });

  it('what Espruino 2v29 lacks does not exist', () => {
    const lines = [
      'new Map<string, number>();',
      'new Set<number>();',
      'new WeakMap<object, number>();',
      "Symbol('x');",
      'Array.from([1]);',
      'Array.of(1);',
      'Uint8Array.from([1]);',
      'new Uint8Array(4).copyWithin(0, 1);',
      'Object.freeze({});',
      'Object.seal({});',
      'Number.isInteger(1);',
      'Number.isNaN(1);',
      'Number.isFinite(1);',
      'Math.trunc(1.5);',
      'Promise.resolve(1).finally(function () { return 0; });',
      'new ArrayBuffer(2).slice(0);',
      '[1].lastIndexOf(1);',
      '[[1]].flat();',
      "' x'.trimStart();",
      'new Proxy({}, {});',
      'Reflect.ownKeys({});',
      'new Uint8Array(4).filter(function (b) { return b > 0; }).subarray(0);',
    ];
    const found = diagnostics(lines.join('\n'));
    const missing = ['Map', 'Set', 'WeakMap', 'Symbol', 'from', 'of', 'from', 'copyWithin', 'freeze', 'seal', 'isInteger', 'isNaN',
      'isFinite', 'trunc', 'finally', 'slice', 'lastIndexOf', 'flat', 'trimStart', 'Proxy', 'Reflect', 'subarray'];
    assert.equal(found.length, lines.length, found.join('\n'));
    found.forEach((d, i) => {
      assert.ok(d.startsWith(`${i + 1}:`), d);
      assert.match(d, new RegExp(`(Cannot find name|Property) '${missing[i]}'`), d);
    });
  });

  it('what the firmware does instead type-checks cleanly', () => {
    const source = [
      'const buf = new Uint8Array(8);',
      'const end = Math.min(12, buf.length); // subarray does not clamp its end on Espruino',
      'const copy: Uint8Array = new Uint8Array(buf.subarray(2, end));',
      'const view: Uint8Array = buf.subarray(3);',
      'const bytes: number[] = buf.slice(1, 3);',
      'copy.set(view, 0);',
      'const n = Object.keys({ a: 1 }).length + [1, 2].indexOf(2) + "ab".lastIndexOf("b");',
      'Promise.resolve(n).then(function (v) { return v + bytes.length; }).catch(function () { return 0; });',
      'export { copy };',
    ].join('\n');
    assert.deepEqual(diagnostics(source), []);
  });
});
