/**
 * dnsmasq (Debian's dnsmasq-base, installed by tools/install-system-deps.sh) as the real DHCP and
 * DNS server of the services tests: started in the foreground with a configuration of the test's
 * own (its own ports and addresses, no system files read), its log kept, stopped by the test.
 * With CI=true a missing dnsmasq fails the test; elsewhere the test skips with a loud message.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const DNSMASQ = '/usr/sbin/dnsmasq';

/** why dnsmasq cannot run here, or undefined */
export function dnsmasqUnavailable(): string | undefined {
  try {
    execFileSync(DNSMASQ, ['--version'], { stdio: 'ignore' });
    return undefined;
  } catch {
    return `${DNSMASQ} is missing (tools/install-system-deps.sh installs dnsmasq-base)`;
  }
}

/** for a `before` hook: fails under CI=true, else skips the suite with a message */
export function needOrSkip(ctx: Mocha.Context, why: string | undefined): void {
  if (why === undefined) return;
  if (process.env.CI === 'true') throw new Error('real server unavailable under CI: ' + why);
  console.warn(`\n  !!! SKIPPED: ${why}\n`);
  ctx.skip();
}

export class Dnsmasq {
  readonly log: string[] = [];
  private exited: Promise<void>;

  private constructor(private child: ChildProcess, private dir: string) {
    this.exited = new Promise((r) => child.once('exit', () => r()));
  }

  /**
   * Starts dnsmasq with `conf` (lines of a dnsmasq.conf), optionally through `wrap` (e.g. the
   * `ip netns exec` prefix of a namespace); resolves once it reports it started.
   */
  static async start(conf: string[], wrap: (argv: string[]) => string[] = (a) => a): Promise<Dnsmasq> {
    const dir = mkdtempSync(join(tmpdir(), 'dnsmasq-'));
    const file = join(dir, 'dnsmasq.conf');
    writeFileSync(file, [
      'no-resolv', 'no-hosts', 'no-poll', 'log-facility=-', `pid-file=${join(dir, 'pid')}`, `dhcp-leasefile=${join(dir, 'leases')}`, 'user=root',
      ...conf, '',
    ].join('\n'));
    const argv = wrap([DNSMASQ, '--keep-in-foreground', '--conf-file=' + file]);
    const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    const d = new Dnsmasq(child, dir);
    await new Promise<void>((resolve, reject) => {
      let buf = '';
      const onData = (b: Buffer): void => {
        buf += b.toString();
        const lines = buf.split('\n');
        buf = lines.pop()!;
        for (const l of lines) {
          d.log.push(l);
          if (/started, version/.test(l)) resolve();
        }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.once('exit', (code) => reject(new Error(`dnsmasq exited with ${code}: ${d.log.join(' | ')}`)));
      child.once('error', reject);
    });
    return d;
  }

  /**
   * Waits until dnsmasq's log has been quiet for `quietMs` (at most `maxMs`): its log reaches us
   * through a pipe, so a line can arrive after the answer it describes.
   */
  async settle(quietMs = 150, maxMs = 3000): Promise<void> {
    const end = Date.now() + maxMs;
    let seen = -1;
    while (this.log.length !== seen && Date.now() < end) {
      seen = this.log.length;
      await new Promise((r) => setTimeout(r, quietMs));
    }
  }

  /** log lines matching `re` */
  lines(re: RegExp): string[] {
    return this.log.filter((l) => re.test(l));
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null) this.child.kill('SIGTERM');
    const t = setTimeout(() => this.child.kill('SIGKILL'), 2000);
    await this.exited;
    clearTimeout(t);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
