// One bundle per board (boards/<name>.ts → dist/<name>.js) and one per board and example
// (examples/<example>.ts → dist/<example>-<name>.js). Espruino's built-in modules stay external.
import fs from 'node:fs';
import path from 'node:path';
import typescript from '@rollup/plugin-typescript';
import terser from '@rollup/plugin-terser';
import { RESERVED_WORDS } from './tools/reserved-words.js';

// Property names the bundle shares with Espruino itself: option objects and results of Espruino's
// APIs. Every other property name is the bundle's own and is mangled (terser keeps the standard
// ECMAScript ones), which the Pico's 48 KB flash Storage needs. Nothing in the firmware reads a
// property by a computed name, so mangling is consistent inside a bundle.
const espruinoProps = [
  'onInit', 'setup', 'send', 'write', 'sck', 'miso', 'mosi', 'baud', 'mode', 'order', 'bits',
  'repeat', 'edge', 'debounce', 'state', 'time', 'lastTime', 'data', 'irq',
  'on', 'memory', 'free', 'usage', 'total', 'env', 'BOARD', 'VERSION', 'log', 'getErrorFlags',
  // Espruino's net, http and dgram (firmware/espruino/, examples/): the NetworkJS callbacks are quoted in networkjs.ts
  'createServer', 'listen', 'request', 'end', 'writeHead', 'setHeader', 'method', 'url', 'headers', 'statusCode',
  'createSocket', 'getTemperature', 'toArrayBuffer', 'host', 'port', 'path', 'code',
  'sum', 'hwRand', 'create', 'connect', 'destroy', 'address',
];

// The standard ECMAScript members (of the built-in constructors and their prototypes, as this Node has them): terser's
// own list of built-ins would also keep every DOM name (`state`, `ready`, `transport`, …) unmangled, which on
// Espruino costs Storage bytes and a variable more per long name
const BUILTIN_CTORS = [Object, Function, Array, String, Number, Boolean, Math, JSON, Date, RegExp, Error, Promise, ArrayBuffer,
  DataView, Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array, Float32Array, Float64Array,
  Object.getPrototypeOf(Uint8Array)];
const standardProps = [...new Set(BUILTIN_CTORS.flatMap((o) => [...Object.getOwnPropertyNames(o), ...(o.prototype ? Object.getOwnPropertyNames(o.prototype) : [])])
  .concat(['message', 'name', 'stack', 'arguments', 'callee', 'caller', 'prototype', 'constructor', '__proto__']))];

export const terserOptions = {
  ecma: 2015,
  compress: { ecma: 2015, passes: 2, hoist_funs: false, keep_fargs: true, unsafe: false, arrows: false },
  // no mangled name may be a keyword: Espruino rejects `class X { do() {} }` and `var of`
  mangle: { toplevel: true, reserved: ['onInit', ...RESERVED_WORDS], properties: { builtins: true, keep_quoted: true, reserved: [...espruinoProps, ...standardProps, ...RESERVED_WORDS] } },
  keep_fnames: false,
  format: { ecma: 2015, comments: false },
};

const builtins = ['net', 'http', 'dgram', 'NetworkJS', 'WIZnet', 'Storage', 'Flash', 'fs', 'crypto', 'tls', 'Wifi', 'ESP32', 'heatshrink'];

const boards = fs.readdirSync('boards').filter((f) => f.endsWith('.ts') && f !== 'board.ts').map((f) => f.slice(0, -3));
const examples = fs.existsSync('examples') ? fs.readdirSync('examples').filter((f) => f.endsWith('.ts')).map((f) => f.slice(0, -3)) : [];

// The entry is generated: board wiring + application + Espruino boot hooks.
function entry(board, appModule, appExport) {
  const id = '\0entry';
  return {
    name: 'board-entry',
    resolveId(source) { return source === id ? id : null; },
    load(source) {
      if (source !== id) return null;
      return [
        `import { board } from ${JSON.stringify(path.resolve('boards', board + '.ts'))};`,
        `import { ${appExport} as app } from ${JSON.stringify(path.resolve(appModule))};`,
        `import { boot } from ${JSON.stringify(path.resolve('firmware/espruino/boot.ts'))};`,
        'boot(board, app);',
      ].join('\n');
    },
  };
}

const STACK_ONLY = /\/(firmware\/net|firmware\/transport\/software|hal\/enc28j60)\//;

// firmware/stacks/enabled.ts per board: only the stack the board's NIC needs goes into its bundle
const ENABLED = path.resolve('firmware/stacks/enabled.ts');
function nicOf(board) {
  const m = /\bnic:\s*'([a-z0-9-]+)'/.exec(fs.readFileSync(path.resolve('boards', board + '.ts'), 'utf8'));
  if (!m) throw new Error(`boards/${board}.ts names no nic`);
  return m[1];
}
export function stacks(nic) {
  return {
    name: 'nic-stacks',
    load(id) {
      if (path.resolve(id) !== ENABLED) return null;
      return `export const WITH_OFFLOAD = ${nic === 'w5500'};\nexport const WITH_ENC28J60 = ${nic === 'enc28j60'};\nexport const WITH_MACRAW = ${nic === 'w5500-macraw'};\n`;
    },
  };
}

// the default firmware's application: the board file's `firmwareApp` (boards/board.ts), else firmware/app/main.ts
export function firmwareApp(board) {
  const m = /\bfirmwareApp:\s*'([^']+)'/.exec(fs.readFileSync(path.resolve('boards', board + '.ts'), 'utf8'));
  return m ? m[1] : 'firmware/app/main.ts';
}

// The bundle runs inside one function: its names (mangled short by terser) stay out of Espruino's global scope,
// where code typed at the console (`for (i = 0; …)`) would overwrite them.
function enclose() {
  return { name: 'enclose', renderChunk(code) { return { code: '(function(){' + code + '\n})();', map: null }; } };
}

// firmware/features.ts per application: what no module of the application names is not in its bundle. The
// application's modules are its entry and every module it imports, transitively, outside the runtime (the socket
// layer, transports, stacks, drivers), so a service it uses (DHCP and DNS over SOCK_DGRAM, the NetworkJS adapter
// that Espruino's dgram reaches datagrams through) counts as the application's.
const FEATURES = path.resolve('firmware/features.ts');
const RUNTIME_DIRS = /\/(firmware\/(socket|transport|stacks|net)|hal)\//;
const FEATURE_NAMES = {
  WITH_DATAGRAM: /\bSOCK_DGRAM\b/,
  WITH_SEQPACKET: /\bSOCK_SEQPACKET\b/,
  WITH_EVENT_SELECT: /\bWSA(EventSelect|EnumNetworkEvents)\b/,
  WITH_KEEPALIVE: /\bSO_KEEPALIVE\b/,
  WITH_NODELAY: /\bTCP_NODELAY\b/,
};
export function appSources(appModule) {
  const seen = new Set();
  const todo = [path.resolve(appModule)];
  let text = '';
  while (todo.length > 0) {
    const f = todo.pop();
    if (seen.has(f)) continue;
    seen.add(f);
    const src = fs.readFileSync(f, 'utf8');
    text += src;
    for (const m of src.matchAll(/\b(?:from|import)\s+'(\.[^']+)'/g)) {
      const dep = path.resolve(path.dirname(f), m[1]) + (m[1].endsWith('.ts') ? '' : '.ts');
      if (fs.existsSync(dep) && !RUNTIME_DIRS.test(dep.split(path.sep).join('/'))) todo.push(dep);
    }
  }
  return text;
}
// WITH_TEXTS follows the board file's `shortTexts` (boards/board.ts). `only`, if given, sets features by name instead (a test builds what an application would call without having)
export function features(appModule, only, board) {
  const src = appSources(appModule);
  const on = (k) => (only && k in only ? only[k] : FEATURE_NAMES[k].test(src));
  return {
    name: 'app-features',
    load(id) {
      if (path.resolve(id) !== FEATURES) return null;
      return Object.keys(FEATURE_NAMES).map((k) => `export const ${k} = ${on(k)};\n`).join('') +
        `export const WITH_TEXTS = ${!(board && /\bshortTexts:\s*true\b/.test(fs.readFileSync(path.resolve('boards', board + '.ts'), 'utf8')))};\n`;
    },
  };
}

export function bundle(board, appModule, appExport, out, only) {
  return espruinoBundle('\0entry', [entry(board, appModule, appExport), stacks(nicOf(board)), features(appModule, only, board)], './tsconfig.json', out);
}

export function espruinoBundle(input, extraPlugins, tsconfig, out, compress) {
  return {
    input,
    external: builtins,
    // the stack a board does not carry is dropped whole: its modules' top-level code (the checksum's
    // E.sum probe) has no effect anyone needs when nothing of theirs is used
    treeshake: { moduleSideEffects: (id) => !STACK_ONLY.test(id.split(path.sep).join('/')) },
    plugins: [
      ...extraPlugins,
      typescript({ tsconfig, noEmit: false, outDir: undefined, declaration: false, sourceMap: false, noEmitOnError: true }),
      enclose(),
      terser(Object.assign({}, terserOptions, { compress: compress === false ? false : Object.assign({}, terserOptions.compress, compress) })),
    ],
    output: { file: out, format: 'cjs', freeze: false, interop: 'default', strict: false, esModule: false, generatedCode: 'es2015' },
    onwarn(w, warn) { if (w.code !== 'EMPTY_BUNDLE') warn(w); },
  };
}

// The self-test (sim/selftest/main.ts): firmware + W5500 model + scripted peers, run on Espruino itself.
// Mangled but not compressed: with terser's compress transforms (comma sequences and at least one more), 2v29 fails
// ASSERT(jsvHasChildren(obj)) in jsvObjectSetChild during the echo scenario; mangled only, it runs all six checks.
const selftest = espruinoBundle('sim/selftest/main.ts', [stacks('w5500')], './tsconfig.selftest.json', 'dist/selftest.js', false);

// Built only when a command needs them (tools/bundle-cache.ts): the hardware-in-the-loop scenarios, per board.
export const onDemand = boards.map((b) => bundle(b, 'firmware/app/hil.ts', 'main', `dist/hil-${b}.js`));

export default process.env.BUILD === 'selftest' ? [selftest] : [
  ...boards.map((b) => bundle(b, firmwareApp(b), 'main', `dist/${b}.js`)),
  // the runtime alone (the NIC brought up, nothing served): what the gate holds to each board's budget
  ...boards.map((b) => bundle(b, 'firmware/app/bring-up.ts', 'main', `dist/bring-up-${b}.js`)),
  ...examples.flatMap((e) => boards.map((b) => bundle(b, `examples/${e}.ts`, 'main', `dist/${e}-${b}.js`))),
  selftest,
];
