// Types for tools/check-bundle.js (plain Node ESM so it runs without a build step).
export interface Finding {
  file: string;
  /** 1-based */
  line: number;
  /** 1-based */
  column: number;
  rule: string;
  message: string;
}
export function checkSource(code: string, fileName: string): Finding[];
export function regexProblems(pattern: string): string[];
export function formatFinding(f: Finding): string;
export function checkDir(dir: string, out: { log: (s: string) => void; error: (s: string) => void }): number;
export const STORAGE_BYTES: Record<string, number>;
export function bundleBoard(fileName: string): string | undefined;
export function withFlashedSize(ready: (flashedSize: (code: string) => number) => void): void;
