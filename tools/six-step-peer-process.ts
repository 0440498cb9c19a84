/**
 * tools/six-step-peer.ts in a process of its own (so it answers while a board's loop is busy), on the host network
 * or inside a network namespace; resolves with the port the OS gave it once it prints "listening on host:port".
 * Every line it prints (stdout as is, stderr prefixed) goes to `onLine`.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from '../sim/board/wiring';

export interface SixStepPeerProcess {
  proc: ChildProcess;
  /** the port it listens on */
  port: number;
  /** its exit code: 0 once every session ended with every request byte received */
  exited: Promise<number>;
}

export function startSixStepPeerProcess(opts: { host: string; ns?: string; onLine: (line: string) => void }): Promise<SixStepPeerProcess> {
  const peer = [process.execPath, '--import', 'tsx', path.join('tools', 'six-step-peer.ts'), '--host', opts.host, '--port', '0'];
  const argv = opts.ns ? ['ip', 'netns', 'exec', opts.ns, ...peer] : peer;
  const proc = spawn(argv[0], argv.slice(1), { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number>((r) => proc.on('exit', (code) => r(code ?? -1)));
  const lines: string[] = [];
  let buf = '';
  return new Promise((resolve, reject) => {
    proc.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        lines.push(line);
        opts.onLine(line);
        const m = /^peer: listening on [\d.]+:(\d+)$/.exec(line);
        if (m) resolve({ proc, port: Number(m[1]), exited });
      }
    });
    proc.stderr!.on('data', (d: Buffer) => {
      const line = 'stderr: ' + d.toString().trim();
      lines.push(line);
      opts.onLine(line);
    });
    proc.on('exit', (code) => reject(new Error('the six-step peer exited with ' + code + ': ' + lines.join(' | '))));
  });
}
