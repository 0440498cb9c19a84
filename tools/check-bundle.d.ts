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
export interface StorageBudget { storageBytes: number; appStorageBytes: number; unmet?: string; variablesOver?: boolean }
export function checkDir(dir: string, out: { log: (s: string) => void; error: (s: string) => void },
  flashedSize?: (code: string) => number, budgets?: Record<string, StorageBudget>): number;
export function bundleBoard(fileName: string, boards: string[]): string | undefined;
export function storageProblem(fileName: string, flashed: number, budget: StorageBudget): string;
export const STORAGE_FILE_HEADER: number;
export const RUNTIME_BUNDLE_PREFIX: string;
export function withFlashedSize(ready: (flashedSize: (code: string) => number) => void): void;
