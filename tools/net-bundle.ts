/**
 * Bundles firmware/net alone through the boards' own rollup pipeline (rollup.config.js: TypeScript,
 * terser with the same mangling), for the bundle gate on the stack and its size in the budget.
 * The entry keeps what a board would wire up alive in a global (no exports: rollup would add
 * `Symbol.toStringTag`), so nothing of the stack is tree-shaken away.
 */
import path from 'node:path';
import { rollup, type Plugin, type RollupOptions } from 'rollup';

// rollup.config.js is plain JavaScript without declarations: imported by a path TypeScript does not follow
const CONFIG: string = '../rollup.config.js';

const ENTRY = '\0net-entry';

/** the default entry: the interface (with ARP, IPv4, ICMP, UDP), kept alive as a global as a board would */
export function netEntry(): string {
  return [
    `import { NetIf } from ${JSON.stringify(path.resolve('firmware/net/iface.ts'))};`,
    'global.netIf = new NetIf();',
  ].join('\n');
}

/** the minified bundle of `entrySource` (ES module text importing firmware/net by absolute path) */
export async function buildNet(entrySource: string): Promise<string> {
  const configs = (await import(CONFIG)).default as RollupOptions[];
  const board = configs[0];
  const plugins = (board.plugins as Plugin[]).filter((p) => p && p.name !== 'board-entry');
  const entry: Plugin = {
    name: 'net-entry',
    resolveId(source) { return source === ENTRY ? ENTRY : null; },
    load(id) { return id === ENTRY ? entrySource : null; },
  };
  const b = await rollup({ input: ENTRY, external: board.external, plugins: [entry, ...plugins], onwarn: () => {} });
  const out = board.output as { format: 'cjs'; freeze: boolean; strict: boolean; esModule: boolean; generatedCode: 'es2015' };
  const { output } = await b.generate({ format: 'cjs', freeze: out.freeze, strict: out.strict, esModule: out.esModule, generatedCode: out.generatedCode });
  await b.close();
  return output[0].code;
}
