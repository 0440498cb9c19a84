import { execFileSync } from 'node:child_process';

/**
 * Network namespaces a test (or `npm run sim`) makes for itself, so the kernel inside can be a peer on private
 * addresses without touching the machine's own network. Every namespace made here is removed with its processes on
 * close(), when the process exits, and on SIGINT/SIGTERM; one left behind by a killed run (its name carries the pid)
 * is removed by the next create() with the same prefix. Needs root and iproute2.
 */

const live = new Set<NetNamespace>();
let hooked = false;
let counter = 0;

function ip(args: string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', () => { for (const ns of Array.from(live)) ns.close(); });
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      for (const ns of Array.from(live)) ns.close();
      // a program with its own handler (npm run sim) finishes its stop itself
      if (process.listenerCount(sig) === 0) process.exit(sig === 'SIGINT' ? 130 : 143);
    });
  }
}

/** why namespaces cannot be made here, or undefined when they can */
export function netnsUnavailable(): string | undefined {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return 'not root';
  try {
    ip(['netns', 'list']);
  } catch (e) {
    return 'ip netns does not work: ' + (e as Error).message.split('\n')[0];
  }
  return undefined;
}

export class NetNamespace {
  private closed = false;

  private constructor(readonly name: string) {}

  /** a fresh namespace named `<prefix>-<pid>-<n>` with its loopback up */
  static create(prefix: string): NetNamespace {
    if (!/^[a-z][a-z0-9]{0,7}$/.test(prefix)) throw new Error(`namespace prefix must be 1–8 lowercase letters/digits: ${prefix}`);
    NetNamespace.sweep(prefix);
    const name = `${prefix}-${process.pid}-${counter++}`;
    ip(['netns', 'add', name]);
    const ns = new NetNamespace(name);
    live.add(ns);
    hookExit();
    try {
      ns.exec(['ip', 'link', 'set', 'lo', 'up']);
    } catch (e) {
      ns.close();
      throw e;
    }
    return ns;
  }

  /** removes namespaces of this prefix whose creating process is gone */
  static sweep(prefix: string): void {
    let list: string;
    try {
      list = ip(['netns', 'list']);
    } catch {
      return;
    }
    for (const line of list.split('\n')) {
      const m = new RegExp(`^(${prefix}-(\\d+)-\\d+)\\b`).exec(line.trim());
      if (m && !pidAlive(Number(m[2]))) removeNamespace(m[1]);
    }
  }

  /** the command line that runs `cmd` inside the namespace */
  argv(cmd: string[]): string[] {
    return ['ip', 'netns', 'exec', this.name, ...cmd];
  }

  /** runs a command inside the namespace and returns its stdout (throws with its stderr on failure) */
  exec(cmd: string[]): string {
    const a = this.argv(cmd);
    try {
      return execFileSync(a[0], a.slice(1), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
      const err = e as { stderr?: string; message: string };
      throw new Error(`${cmd.join(' ')} in ${this.name}: ${(err.stderr || err.message).trim()}`);
    }
  }

  /** kills every process inside the namespace and removes it; safe to call twice */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    live.delete(this);
    removeNamespace(this.name);
  }
}

function removeNamespace(name: string): void {
  try {
    const pids = ip(['netns', 'pids', name]).split('\n').filter((x) => /^\d+$/.test(x.trim()));
    for (const p of pids) {
      try { process.kill(Number(p), 'SIGKILL'); } catch { /* already gone */ }
    }
  } catch {
    // no such namespace
  }
  try {
    ip(['netns', 'del', name]);
  } catch {
    // already removed
  }
}
