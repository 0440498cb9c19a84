import { execSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { knownBoards, repoRoot } from '../../sim/board/wiring';

function newestSource(dir: string): number {
  let newest = 0;
  if (!fs.existsSync(dir)) return 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (p !== path.join(repoRoot, 'hal', 'node')) newest = Math.max(newest, newestSource(p));
    } else if (e.name.endsWith('.ts')) newest = Math.max(newest, fs.statSync(p).mtimeMs);
  }
  return newest;
}

/** Whether dist/<name>.js is missing or older than anything the build reads. */
export function needsBuild(name: string): boolean {
  const out = path.join(repoRoot, 'dist', name + '.js');
  if (!fs.existsSync(out)) return true;
  const built = fs.statSync(out).mtimeMs;
  const inputs = [
    ...['boards', 'firmware', 'hal', 'examples'].map((d) => newestSource(path.join(repoRoot, d))),
    ...['rollup.config.js', 'tsconfig.json'].map((f) => fs.statSync(path.join(repoRoot, f)).mtimeMs),
  ];
  return Math.max(...inputs) > built;
}

/**
 * Builds the bundles (dist/<name>.js; by default every board's) if any is missing or older than its sources. A failed
 * build with every bundle present (e.g. a half-edited source elsewhere) keeps the bundles there are: these tests are
 * about the board, and the build's own check runs in `npm test`.
 */
export function ensureBuilt(names?: string[]): void {
  const wanted = names || knownBoards();
  if (!wanted.some((b) => needsBuild(b))) return;
  try {
    execSync('npm run build', { cwd: repoRoot, stdio: 'pipe' });
  } catch (e) {
    if (wanted.some((b) => !fs.existsSync(path.join(repoRoot, 'dist', b + '.js')))) throw e;
  }
}

export function bundle(board: string): string {
  return fs.readFileSync(path.join(repoRoot, 'dist', board + '.js'), 'utf8');
}
