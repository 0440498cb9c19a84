import * as net from 'node:net';

/**
 * Real peers need the loopback interface. Where it is missing the suite skips loudly, except in CI,
 * where a test without its real peer must fail.
 */
export async function loopbackProblem(): Promise<string | undefined> {
  const tryListen = (host: string) =>
    new Promise<string | undefined>((resolve) => {
      const s = net.createServer();
      s.once('error', (e) => resolve(`cannot listen on ${host}: ${(e as Error).message}`));
      s.listen(0, host, () => s.close(() => resolve(undefined)));
    });
  return (await tryListen('127.0.0.1')) ?? (await tryListen('127.0.0.30'));
}

export async function requireLoopback(ctx: Mocha.Context): Promise<void> {
  const why = await loopbackProblem();
  if (why === undefined) return;
  if (process.env.CI === 'true') throw new Error(`loopback peer unavailable in CI: ${why}`);
  console.warn(`\n  !!! SKIPPING kernel-peer tests: ${why}\n`);
  ctx.skip();
}

/** Waits on the event loop (short real sleeps) until `cond` holds, calling `step` before each check. */
export async function until(cond: () => boolean, what: string, step: () => void = () => {}, ms = 10000): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    step();
    if (cond()) return;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** a short real pause that lets OS events arrive */
export function settle(ms = 30): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
