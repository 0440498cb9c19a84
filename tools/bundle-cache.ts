/**
 * Builds one bundle (dist/<name>.js) with the rollup configuration `npm run build` uses, and only when one of
 * its sources changed: after a build, dist/.<name>.sources.json keeps a hash of every file rollup read for it
 * and of the build's own configuration; a later call compares them and builds only on a difference.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from '../sim/board/wiring';

/** the files that shape every bundle besides its modules */
const CONFIG_FILES = ['rollup.config.js', 'tsconfig.json', 'tools/reserved-words.js', 'package-lock.json', 'types/espruino-builtins.d.ts'];

export interface BuildResult {
  /** dist/<name>.js, relative to the repository root */
  file: string;
  /** whether it was built now (false: its sources had not changed) */
  built: boolean;
  /** why it was built, or that it was up to date */
  reason: string;
  /** milliseconds the check and the build took */
  ms: number;
}

function stampPath(file: string): string {
  return path.join(repoRoot, path.dirname(file), '.' + path.basename(file, '.js') + '.sources.json');
}

function hashFile(abs: string): string {
  try {
    return crypto.createHash('sha1').update(fs.readFileSync(abs)).digest('hex');
  } catch {
    return 'missing';
  }
}

/** why `file` must be built, or undefined when its recorded sources are unchanged */
export function staleReason(file: string): string | undefined {
  if (!fs.existsSync(path.join(repoRoot, file))) return `${file} does not exist`;
  const stamp = stampPath(file);
  if (!fs.existsSync(stamp)) return `no record of the sources of ${file}`;
  let hashes: Record<string, string>;
  try {
    hashes = JSON.parse(fs.readFileSync(stamp, 'utf8')) as Record<string, string>;
  } catch {
    return `unreadable record ${path.relative(repoRoot, stamp)}`;
  }
  for (const rel of Object.keys(hashes)) {
    if (hashFile(path.join(repoRoot, rel)) !== hashes[rel]) return `${rel} changed`;
  }
  return undefined;
}

interface RollupConfig { output: { file: string } }

/** Builds `file` (e.g. 'dist/espruino-pico.js') when its sources changed. Rejects when rollup fails or no configuration makes it. */
export async function ensureBundle(file: string): Promise<BuildResult> {
  const t0 = performance.now();
  const reason = staleReason(file);
  if (reason === undefined) return { file, built: false, reason: 'sources unchanged', ms: performance.now() - t0 };
  const cwd = process.cwd();
  // rollup.config.js reads boards/ and examples/ relative to the working directory
  process.chdir(repoRoot);
  try {
    const { rollup } = await import('rollup');
    const mod = (await import(pathToFileURL(path.join(repoRoot, 'rollup.config.js')).href)) as { default: RollupConfig[]; onDemand?: RollupConfig[] };
    const configs = [...mod.default, ...(mod.onDemand ?? [])];
    const config = configs.find((c) => c.output.file === file);
    if (!config) throw new Error(`no bundle ${file} in rollup.config.js (known: ${configs.map((c) => c.output.file).join(', ')})`);
    const bundle = await rollup(config as never);
    await bundle.write(config.output as never);
    const hashes: Record<string, string> = {};
    for (const f of [...bundle.watchFiles.filter((w) => !w.startsWith('\0')), ...CONFIG_FILES.map((c) => path.join(repoRoot, c))]) {
      const rel = path.relative(repoRoot, f);
      if (!rel.startsWith('..')) hashes[rel] = hashFile(f);
    }
    await bundle.close();
    fs.writeFileSync(stampPath(file), JSON.stringify(hashes, null, 1) + '\n');
  } finally {
    process.chdir(cwd);
  }
  return { file, built: true, reason, ms: performance.now() - t0 };
}

/** one line for a person: what was done and how long it took */
export function describeBuild(r: BuildResult): string {
  const s = (r.ms / 1000).toFixed(1) + ' s';
  return r.built ? `built ${r.file} in ${s} (${r.reason})` : `${r.file} is up to date (sources unchanged, checked in ${s})`;
}
