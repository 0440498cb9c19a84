import { execSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { knownBoards, repoRoot } from '../../sim/board/wiring';
import { needsBuild } from '../../tools/flash';

/**
 * Builds the board bundles if any is missing or older than its sources. A failed build with every
 * bundle present (e.g. a half-edited source elsewhere) keeps the bundles there are: these tests are
 * about the board, and the build's own check runs in `npm test`.
 */
export function ensureBuilt(): void {
  if (!knownBoards().some((b) => needsBuild(b))) return;
  try {
    execSync('npm run build', { cwd: repoRoot, stdio: 'pipe' });
  } catch (e) {
    if (knownBoards().some((b) => !fs.existsSync(path.join(repoRoot, 'dist', b + '.js')))) throw e;
  }
}

export function bundle(board: string): string {
  return fs.readFileSync(path.join(repoRoot, 'dist', board + '.js'), 'utf8');
}
