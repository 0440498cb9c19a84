import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { minify } from 'terser';
import { checkSource, regexProblems, Finding, bundleBoard, checkDir } from '../../tools/check-bundle.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const cli = path.join(root, 'tools/check-bundle.js');

function rulesAt(findings: Finding[]): string[] {
  return findings.map((f) => `${f.rule}@${f.line}`);
}

// Each snippet puts the offending construct on line 2, after a harmless first line.
const offending: [string, string][] = [
  ['destructuring', 'const {a} = o;'],
  ['destructuring', 'const [a, b] = o;'],
  ['destructuring', 'function f({a}) { return a; }'],
  ['destructuring', '({a} = o);'],
  ['destructuring', 'try { t(); } catch ({message}) { log(message); }'],
  ['destructuring', 'for (const [k, v] of list) log(k, v);'],
  ['spread', 'f(...args);'],
  ['spread', 'const c = [...a, 1];'],
  ['spread', 'const c = {...a, x: 1};'],
  ['rest', 'function f(a, ...more) { return more; }'],
  ['default-parameter', 'function f(a = 1) { return a; }'],
  ['computed-key', 'const o = {[k]: 1};'],
  ['computed-key', 'class K { [k]() { return 1; } }'],
  ['async', 'async function f() { return 1; }'],
  ['async', 'const f = async () => 1;'],
  ['generator', 'function* f() { return 1; }'],
  ['label', 'outer: for (;;) { break outer; }'],
  ['optional-chaining', 'const v = o?.x;'],
  ['optional-chaining', 'o.f?.();'],
  ['exponent', 'const v = a ** 2;'],
  ['exponent', 'a **= 2;'],
  ['logical-assignment', 'a &&= b;'],
  ['logical-assignment', 'a ||= b;'],
  ['logical-assignment', 'a ??= b;'],
  ['class-field-without-initializer', 'class K { a; }'],
  ['private-member', 'class K { #a = 1; }'],
  ['private-member', 'class K { #m() { return 1; } }'],
  ['loop-closure', 'for (let i = 0; i < 3; i++) fs.push(function () { return i; });'],
  ['loop-closure', 'for (const k of keys) fs.push(() => k);'],
  ['loop-closure', 'for (const k in obj) fs.push(() => k);'],
  ['missing-global', 'const m = new Map();'],
  ['missing-global', 'const s = new Set();'],
  ['missing-global', 'const w = new WeakMap();'],
  ['missing-global', 'const w = new WeakSet();'],
  ['missing-global', 'const it = Symbol.iterator;'],
  ['missing-global', 'const p = new Proxy(o, {});'],
  ['missing-global', 'Reflect.ownKeys(o);'],
  ['missing-global', 'const b = BigInt(1);'],
  ['missing-static', 'const a = Array.from(x);'],
  ['missing-static', 'const a = Array.of(1);'],
  ['missing-static', 'Number.isInteger(1);'],
  ['missing-static', 'Number.isNaN(1);'],
  ['missing-static', 'Number.isFinite(1);'],
  ['missing-static', 'const e = Number.EPSILON;'],
  ['missing-static', 'Math.trunc(1.5);'],
  ['missing-static', 'Object.freeze(o);'],
  ['missing-static', 'Object.seal(o);'],
  ['missing-static', 'Object.preventExtensions(o);'],
  ['missing-static', 'Promise.allSettled([]);'],
  ['missing-static', 'Promise.any([]);'],
  ['missing-static', 'Promise.race([]);'],
  ['promise-finally', 'p.then(f).finally(g);'],
  ['prototype-access', 'const s = Array.prototype.slice.call(arguments);'],
  ['prototype-access', 'const t = String.prototype.trim.call(x);'],
  ['extends-error', 'class Oops extends Error {}'],
  ['extends-error', 'class Oops extends TypeError { constructor(m) { super(m); } }'],
  ['regex', 'const ok = /^a{2}$/.test(s);'],
  ['regex', 'const ok = /a{1,3}/.test(s);'],
  ['regex', 'const ok = /a(?=b)/.test(s);'],
  ['regex', 'const ok = /a(?!b)/.test(s);'],
  ['regex', 'const ok = /(?<=a)b/.test(s);'],
  ['regex', 'const ok = /(?:ab)+/.test(s);'],
  ['regex', 'const r = new RegExp("x{4}");'],
  ['missing-method', 's.trimStart();'],
  ['missing-method', 's.trimEnd();'],
  ['missing-method', 's.matchAll(r);'],
  ['missing-method', 'a.flat();'],
  ['missing-method', 'a.flatMap(f);'],
  ['missing-method', 'a.lastIndexOf(1);'],
  ['keyword-member', 'a.do = 1;'],
  ['keyword-member', 'o.new(1);'],
  ['keyword-member', 'const o = {do: 1};'],
  ['keyword-member', 'const o = {in() { return 1; }};'],
  ['keyword-member', 'const o = {get if() { return 1; }};'],
  ['keyword-member', 'const o = {set of(v) { x = v; }};'],
  ['keyword-member', 'class X { do() {} }'],
  ['keyword-member', 'class X { static new() { return 1; } }'],
  ['keyword-member', 'class X { get let() { return 1; } }'],
  ['keyword-member', 'class X { for = 1; }'],
  ['keyword-member', 'class X { undefined() {} }'],
  ['keyword-member', 'class X { catch() {} }'],
  ['use-before-declaration', 'early(); function early() { return 1; }'],
  ['arrow-this-unexecuted', 'var o = {f: function (c) { return c && (() => this); }};'],
  ['arrow-this-unexecuted', 'var o = {f: function (c) { return c ? (() => this) : 1; }};'],
  ['arrow-this-unexecuted', 'var o = {f: function (c) { if (c) g(() => this); }};'],
  ['arrow-this-unexecuted', 'var o = {f: function (x) { switch (x) { case 1: g(() => this); break; } }};'],
  ['arrow-this-unexecuted', 'var o = {f: function () { while (false) g(() => this); }};'],
  ['arrow-this-unexecuted', 'var o = {f: function () { var h = () => [() => this]; }};'],
  ['arrow-this-unexecuted', 'var o = {f: function (c) { return c && (() => { return () => this; }); }};'],
  ['ts-helper', 'var __extends = function () {};'],
  ['ts-helper', 'var __spreadArray = function () {};'],
  ['ts-helper', 'var __awaiter = function () {};'],
  ['ts-helper', 'var __generator = function () {};'],
  ['ts-helper', 'var __values = function () {};'],
  ['ts-helper', 'var __read = function () {};'],
  ['ts-helper', 'var __rest = function () {};'],
  ['ts-helper', 'var __asyncValues = function () {};'],
  ['ts-helper', 'var __classPrivateFieldGet = function () {};'],
  ['ts-helper', 'var __classPrivateFieldSet = function () {};'],
];

describe('bundle gate (tools/check-bundle.js)', () => {
  describe('rejects each construct Espruino lacks', () => {
    for (const [rule, snippet] of offending) {
      it(`${rule}: ${snippet}`, () => {
        const findings = checkSource('var first = 1;\n' + snippet + '\n', 'snippet.js');
        assert.ok(findings.length > 0, 'expected a finding');
        assert.ok(
          findings.some((f) => f.rule === rule && f.line === 2 && f.file === 'snippet.js'),
          `expected ${rule}@2, got ${rulesAt(findings).join(', ')}`,
        );
        for (const f of findings) assert.equal(f.line, 2);
      });
    }
  });

  it('reports exact line and 1-based column', () => {
    const findings = checkSource('var a = 1;\n  f(...a);\n', 'x.js');
    assert.deepEqual(findings, [{ file: 'x.js', line: 2, column: 5, rule: 'spread', message: 'spread syntax ...' }]);
  });

  it('reads a static through a subclass only when the subclass lacks it', () => {
    const code = [
      'class Base { static make() { return 1; } }', // 1
      'Base.count = 0;', // 2
      'class Sub extends Base { static own() { return 2; } }', // 3
      'Sub.make();', // 4
      'Sub.own();', // 5
      'Base.make();', // 6
      'const c = Sub.count;', // 7
      'class Full extends Base { static make() { return 3; } }', // 8
      'Full.make();', // 9
      'Sub.count = 5;', // 10: a write creates an own property
    ].join('\n');
    assert.deepEqual(rulesAt(checkSource(code, 'x.js')), ['static-through-subclass@4', 'static-through-subclass@7']);
  });

  it('follows a call before declaration through functions that already exist, and IIFEs', () => {
    const code = [
      'function a() { b(); }', // 1
      'a();', // 2: b not declared yet
      '(function () { b(); })();', // 3
      'function later() { b(); }', // 4: only called after b exists
      'function b() { return 1; }', // 5
      'later();', // 6
      'function outer() { inner(); function inner() {} }', // 7
      'E.on("init", go);', // 8: a reference is evaluated too
      'setTimeout(function () { go(); }, 0);', // 9: runs later
      'const o = { go: 1 }; o.go;', // 10: property names are not references
      'function go() { return 2; }', // 11
    ].join('\n');
    assert.deepEqual(rulesAt(checkSource(code, 'x.js')), [
      'use-before-declaration@2', 'use-before-declaration@3', 'use-before-declaration@7', 'use-before-declaration@8',
    ]);
  });

  it('does not flag a local Map, Set or Symbol, nor a loop variable copied into a block-scoped const', () => {
    const code = [
      'function local(Map) { return new Map(); }',
      'class Set { has() { return false; } }',
      'const s = new Set();',
      'function sym() { const Symbol = 1; return Symbol; }',
      'for (let i = 0; i < 3; i++) { const j = i; fs.push(function () { return j; }); }',
      'for (var v = 0; v < 3; v++) fs.push(function () { return v; });',
      'for (const k of keys) log(k);',
    ].join('\n');
    assert.deepEqual(checkSource(code, 'x.js'), []);
    assert.deepEqual(rulesAt(checkSource('function f() { return 1; }\nnew Map();\n', 'x.js')), ['missing-global@2']);
  });

  it('names the keyword in a keyword-member finding, and allows reading .catch (Espruino\'s Promise API) and quoted keys', () => {
    assert.deepEqual(checkSource('var a = 1;\nclass X { do() {} }\n', 'k.js'), [
      { file: 'k.js', line: 2, column: 11, rule: 'keyword-member', message: 'class member named "do", a keyword: SyntaxError on Espruino' },
    ]);
    assert.deepEqual(checkSource('p.then(f).catch(g);\nconst o = {"do": 1, of2: 2};\no["in"] = 3;\n', 'k.js'), []);
  });

  it('the build\'s mangler never names a property after a keyword (rollup.config.js), which unreserved terser does', async function () {
    this.timeout(120000); // two minifications of 2,000 lines: seconds alone, much more on a loaded machine
    const lines = ['class K {'];
    for (let i = 0; i < 1000; i++) lines.push(`  member${i}() { return ${i}; }`);
    lines.push('}', 'const k = new K();', 'let t = 0;');
    for (let i = 0; i < 1000; i++) lines.push(`t += k.member${i}();`);
    const code = lines.join('\n');
    const { terserOptions } = await import(pathToFileURL(path.join(root, 'rollup.config.js')).href);
    const unreserved = structuredClone(terserOptions);
    unreserved.mangle.reserved = [];
    unreserved.mangle.properties.reserved = [];
    const keywordMembers = async (options: object) => {
      // only the naming matters here; without compression the run stays short
      const out = await minify(code, Object.assign({}, options, { compress: false }));
      return checkSource(out.code!, 'mangled.js').filter((f) => f.rule === 'keyword-member').map((f) => f.message);
    };
    assert.ok((await keywordMembers(unreserved)).includes('class member named "do", a keyword: SyntaxError on Espruino'));
    assert.deepEqual(await keywordMembers(terserOptions), []);
  });

  it('finds TypeScript helpers by their messages after their names were mangled', () => {
    const code = 'var t = 1;\nvar e = function () { throw new TypeError("Class extends value " + String(b) + " is not a constructor or null"); };\n';
    assert.deepEqual(rulesAt(checkSource(code, 'x.js')), ['ts-helper@2']);
    const awaiter = 'var a = 1;\nfunction q(P) { return new (P || (P = Promise))(function (r) { r(); }); }\n';
    assert.deepEqual(rulesAt(checkSource(awaiter, 'x.js')), ['ts-helper@2']);
  });

  it('classifies regex patterns', () => {
    assert.deepEqual(regexProblems('^\\d+$'), []);
    assert.deepEqual(regexProblems('[{2}]\\{3}'), []);
    assert.deepEqual(regexProblems('a{2,}'), ['quantifier {2,}']);
    assert.deepEqual(regexProblems('(?!x)(?<!y)(?<n>z)'), ['lookahead (?!', 'lookbehind (?<!', 'named group (?<']);
  });

  it('allows an arrow using this where Espruino runs it or skips it by its braces, and a plain function anywhere', () => {
    // each of these runs on the 2v29 interpreter without the ASSERT the offending forms above trip
    const ok = [
      'var o = {f: function (c) { if (c) { g(() => this); } }};',
      'var o = {f: function (x) { switch (x) { case 1: { g(() => this); } break; } }};',
      'var o = {f: function () { var h = () => { return () => this; }; }};',
      'var o = {f: function () { g(() => this); }};',
      'var o = {f: function (c) { return c && function () { return this; }; }};',
    ];
    for (const src of ok) assert.deepEqual(checkSource(src, 'ok.js').filter((f) => f.rule === 'arrow-this-unexecuted'), [], src);
    assert.deepEqual(checkSource('var o = {f: function (c) {\n  return c && (() => this);\n}};', 'x.js').map((f) => [f.line, f.column, f.rule]),
      [[2, 16, 'arrow-this-unexecuted']]);
  });

  it('passes clean ES2019 code with zero findings', () => {
    const clean = `
'use strict';
class Counter {
  constructor(start) { this.n = start; this.step = 1; }
  get value() { return this.n; }
  set value(v) { this.n = v; }
  static create() { return new Counter(0); }
  bump() { this.n += this.step; return this; }
}
class Named extends Counter {
  constructor(name) { super(0); this.name = name; }
  describe() { return \`\${this.name}=\${this.value}\`; }
}
const c = Counter.create();
const named = new Named('rx');
const buf = new Uint8Array(8);
buf.set(new Uint8Array([1, 2, 3]), 2);
const view = buf.subarray(2, 5);
let total = 0;
for (const b of [1, 2, 3]) total += b;
for (const b of view) total += b;
for (let i = 0; i < 3; i++) total += i;
const add = (a, b) => a + b;
function variadic() { const args = [].slice.call(arguments); return args.length; }
const own = Object.prototype.hasOwnProperty.call({ a: 1 }, 'a');
const fallback = null ?? 5;
const o = { get size() { return 1; }, set size(v) { total = v; }, method() { return add(1, 2); } };
const keys = Object.keys(o).filter((k) => k !== 'method');
const r = /^[a-z]+\\d*$/i.test('abc1');
const ok = 'abc'.startsWith('a') && [1, 2].includes(2) && 'x'.padStart(2, '0') === '0x';
const dv = new DataView(buf.buffer);
dv.setUint16(0, 0x1234, true);
Promise.resolve(1).then((v) => v + 1).catch(() => 0);
const merged = Object.assign({}, o, { extra: 1 });
try { JSON.parse('{'); } catch (e) { total = -1; }
try { variadic(1); } catch { total = 0; }
c.bump().bump();
named.describe();
console.log(total, keys, r, ok, own, fallback, merged, variadic(1, 2));
`;
    assert.deepEqual(checkSource(clean, 'clean.js'), []);
  });

  it('reports a parse error as a finding', () => {
    const findings = checkSource('var a = 1;\nvar = ;\n', 'bad.js');
    assert.equal(findings.length, 1);
    assert.equal(findings[0].rule, 'parse-error');
    assert.equal(findings[0].line, 2);
  });

  describe('CLI', () => {
    let tmp = '';
    beforeEach(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'check-bundle-')); });
    afterEach(() => { fs.rmSync(tmp, { recursive: true, force: true }); });

    it('exits 1 naming file:line:col and rule for an offending bundle', () => {
      fs.writeFileSync(path.join(tmp, 'good.js'), 'var a = 1;\n');
      fs.writeFileSync(path.join(tmp, 'bad.js'), 'var a = 1;\nvar m = new Map();\n');
      const r = spawnSync(process.execPath, ['--import', 'tsx', cli, tmp], { encoding: 'utf8' });
      assert.equal(r.status, 1);
      assert.equal(r.stdout, [
        `${path.join(tmp, 'bad.js')}: 30 bytes`,
        `${path.join(tmp, 'good.js')}: 11 bytes`,
        '2 bundles checked, 1 findings, 0 over their board\'s Storage',
        '',
      ].join('\n'));
      assert.equal(r.stderr, `${path.join(tmp, 'bad.js')}:2:13 missing-global — Map does not exist on Espruino\n`);
    });

    it('fails a board bundle that, pretokenised as flashed, does not fit its board\'s Storage, and a runtime that leaves the application less than its budget', () => {
      // pretokenised as espruino-tools uploads it: comments and blanks go, `var` becomes one byte, strings stay
      fs.writeFileSync(path.join(tmp, 'espruino-pico.js'), 'var a = "' + 'x'.repeat(49120) + '";\n// gone\n');
      fs.writeFileSync(path.join(tmp, 'demo-esp32-devkit.js'), 'var a = 1;\n');
      const r = spawnSync(process.execPath, ['--import', 'tsx', cli, tmp], { encoding: 'utf8' });
      assert.equal(r.status, 1);
      assert.equal(r.stdout, [
        `${path.join(tmp, 'demo-esp32-devkit.js')}: 11 bytes, 5 pretokenised (esp32-devkit flash Storage 917504 bytes: fits)`,
        `${path.join(tmp, 'espruino-pico.js')}: 49140 bytes, 49126 pretokenised (espruino-pico flash Storage 49152 bytes: DOES NOT FIT: 49158 bytes with its Storage header, 49152 bytes of Storage)`,
        '2 bundles checked, 0 findings, 1 over their board\'s Storage',
        '',
      ].join('\n'));
      assert.equal(r.stderr, `${path.join(tmp, 'espruino-pico.js')}: DOES NOT FIT: 49158 bytes with its Storage header, 49152 bytes of Storage\n`);

      const budgets = { 'espruino-pico': { storageBytes: 49152, appStorageBytes: 4096 } };
      const lines: string[] = [];
      const errors: string[] = [];
      fs.rmSync(path.join(tmp, 'espruino-pico.js'));
      fs.writeFileSync(path.join(tmp, 'bring-up-espruino-pico.js'), 'x'.repeat(45100));
      assert.equal(checkDir(tmp, { log: (l) => lines.push(l), error: (l) => errors.push(l) }, undefined, budgets), 1);
      assert.deepEqual(errors, [`${path.join(tmp, 'bring-up-espruino-pico.js')}: leaves 4020 bytes for the application, budget 4096`]);
      assert.equal(bundleBoard('dist/six-step-espruino-pico.js', ['espruino-pico']), 'espruino-pico');
      assert.equal(bundleBoard('dist/six-step-espruino-pico-enc28j60.js', ['espruino-pico', 'espruino-pico-enc28j60']), 'espruino-pico-enc28j60');
      assert.equal(bundleBoard('dist/other.js', ['espruino-pico']), undefined);
    });

    it('prints a board\'s overrun as known while its budget says `unmet`, and fails once the board fits its Storage and its variables', () => {
      fs.writeFileSync(path.join(tmp, 'espruino-original.js'), 'x'.repeat(20449));
      const budgets = { 'espruino-original': { storageBytes: 20480, appStorageBytes: 2048, unmet: 'too big' } };
      const lines: string[] = [];
      const errors: string[] = [];
      assert.equal(checkDir(tmp, { log: (l) => lines.push(l), error: (l) => errors.push(l) }, undefined, budgets), 0);
      assert.equal(lines[0], `${path.join(tmp, 'espruino-original.js')}: 20449 bytes, 20449 pretokenised (espruino-original flash Storage 20480 bytes: DOES NOT FIT: 20481 bytes with its Storage header, 20480 bytes of Storage; known: too big)`);
      fs.writeFileSync(path.join(tmp, 'espruino-original.js'), 'x'.repeat(20448));
      errors.length = 0;
      // fits its Storage, but its runtime is still over its variable budget: still known, not yet fitting
      const over = { 'espruino-original': Object.assign({ variablesOver: true }, budgets['espruino-original']) };
      assert.equal(checkDir(tmp, { log: () => undefined, error: (l) => errors.push(l) }, undefined, over), 0);
      assert.equal(errors.length, 0);
      assert.equal(checkDir(tmp, { log: () => undefined, error: (l) => errors.push(l) }, undefined, budgets), 1);
      assert.deepEqual(errors, ['boards/espruino-original.ts: every bundle fits now; remove its budget\'s `unmet`']);
    });

    it('exits 1 with a clear message when there are no bundles or no directory', () => {
      const empty = spawnSync(process.execPath, ['--import', 'tsx', cli, tmp], { encoding: 'utf8' });
      assert.equal(empty.status, 1);
      assert.match(empty.stderr, /no bundles \(\*\.js\) in .*run `npm run build` first/);
      const missing = spawnSync(process.execPath, ['--import', 'tsx', cli, path.join(tmp, 'nope')], { encoding: 'utf8' });
      assert.equal(missing.status, 1);
      assert.match(missing.stderr, /does not exist; run `npm run build` first/);
    });
  });

  describe('real bundles', function () {
    // eight bundles built in this process: two minutes alone, far more on a shared, loaded machine
    this.timeout(600000);
    let out = '';
    let files: string[] = [];

    // Built from rollup.config.js into a temp dir, so the check sees the current source and does
    // not race with anyone writing dist/.
    before(async () => {
      out = fs.mkdtempSync(path.join(os.tmpdir(), 'check-bundle-dist-'));
      const { rollup } = await import('rollup');
      const configs = (await import(pathToFileURL(path.join(root, 'rollup.config.js')).href)).default;
      for (const config of configs) {
        const { output, ...input } = config;
        const bundle = await rollup({ ...input, onwarn: () => {} });
        try {
          await bundle.write({ ...output, file: path.join(out, path.basename(output.file)) });
        } finally {
          await bundle.close();
        }
      }
      files = fs.readdirSync(out).filter((f) => f.endsWith('.js')).sort();
    });
    after(() => { if (out) fs.rmSync(out, { recursive: true, force: true }); });

    it('builds one bundle per board and passes the gate with no TypeScript helper', () => {
      const boards = fs.readdirSync(path.join(root, 'boards')).filter((f) => f.endsWith('.ts') && f !== 'board.ts');
      assert.ok(files.length >= boards.length && boards.length > 0, `bundles: ${files.join(', ')}`);
      for (const f of files) {
        const code = fs.readFileSync(path.join(out, f), 'utf8');
        assert.deepEqual(checkSource(code, f), []);
        assert.doesNotMatch(code, /__(extends|spreadArray|awaiter|generator|values|read|rest|asyncValues|classPrivateField)/);
      }
      const r = spawnSync(process.execPath, ['--import', 'tsx', cli, out], { encoding: 'utf8' });
      assert.equal(r.stderr, '');
      assert.equal(r.status, 0);
      assert.match(r.stdout, new RegExp(`^${files.length} bundles checked, 0 findings, 0 over their board's Storage$`, 'm'));
      // the runtime of every board within its variable budget on the virtual board, or known not to be
      for (const f of files.filter((x) => x.startsWith('bring-up-'))) {
        assert.match(r.stdout, new RegExp(`${f}: \\d+ variables after load, \\d+ after bring-up \\(runtime budget \\d+ of \\d+: (within|OVER; known: .*)\\)`));
      }
    });
  });
});
