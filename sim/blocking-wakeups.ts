/**
 * What waiting costs: the event loop idle (`idleWakeups`), and a blocking call (`blockingRecvWakeups`).
 * A blocking call: a blocking recv with SO_RCVTIMEO and no data coming,
 * on the harness (W5500 model, virtual network, virtual time). Counts the transport's pumps (each
 * one a wake-up of the blocking loop, and a service pass over the NIC) and the SPI transactions
 * while the call runs. Used by `npm run bench` and by its test.
 */
import { createHarness } from './harness';
import type { VirtualClock } from './net/virtual-clock';
import { AddressFamily, OptLevel, SockOpt, SockType } from '../firmware/socket/constants';

export interface WakeupFigure {
  /** pumps of the transport during the call */
  wakeups: number;
  /** when each pump ran, virtual ms from the call's start */
  times: number[];
  /** SPI transactions during the call */
  transactions: number;
  /** virtual ms the call took */
  elapsedMs: number;
  /** what recv returned, and WSAGetLastError() */
  result: number;
  error: number;
}

/** a connected blocking socket, then recv with SO_RCVTIMEO `timeoutMs` while the peer sends nothing */
export async function blockingRecvWakeups(timeoutMs: number, intWired: boolean): Promise<WakeupFigure> {
  const h = await createHarness({ network: 'virtual', time: 'virtual', int: intWired });
  try {
    h.vnet!.listen({ ip: '192.168.1.10', port: 5000 });
    const api = h.api;
    const s = api.socket(AddressFamily.AF_INET, SockType.SOCK_STREAM, 0);
    if (api.connect(s, '192.168.1.10', 5000) !== 0) throw new Error('connect failed: ' + api.WSAGetLastError());
    if (api.setsockopt(s, OptLevel.SOL_SOCKET, SockOpt.SO_RCVTIMEO, timeoutMs) !== 0) throw new Error('SO_RCVTIMEO');
    await h.run(50);
    const t = h.transport;
    const pump = t.pump;
    let wakeups = 0;
    const times: number[] = [];
    const t0 = h.clock.now();
    t.pump = function (): number {
      wakeups++;
      times.push(h.clock.now() - t0);
      return pump.call(t);
    };
    const spi0 = h.trace.counters().transactions;
    const result = api.recv(s, new Uint8Array(64), 64, 0);
    const error = api.WSAGetLastError();
    const fig: WakeupFigure = { wakeups, times, transactions: h.trace.counters().transactions - spi0, elapsedMs: h.clock.now() - t0, result, error };
    t.pump = pump;
    api.closesocket(s, undefined);
    return fig;
  } finally {
    await h.close();
  }
}

export interface IdleFigure {
  /** turns of the event loop (each one a timer firing and a pump) over the measured time */
  wakeups: number;
  /** the same per second */
  perSecond: number;
  /** SPI transactions over the measured time */
  transactions: number;
  /** timers set on the clock at the end (the event loop's one timer, or none) */
  timers: number;
}

/**
 * The event loop with nothing to do: a connected socket, no traffic, for `seconds` after things
 * settled (one second), with the NIC's interrupt wired or not and the chip check every `healthMs`
 * (0 = off; the runtime's default is 1000).
 */
export async function idleWakeups(intWired: boolean, healthMs: number, seconds: number): Promise<IdleFigure> {
  const h = await createHarness({ network: 'virtual', time: 'virtual', int: intWired, stack: { healthPollMs: healthMs } });
  try {
    h.vnet!.listen({ ip: '192.168.1.10', port: 5000 });
    const api = h.api;
    const s = api.socket(AddressFamily.AF_INET, SockType.SOCK_STREAM, 0);
    if (api.connect(s, '192.168.1.10', 5000) !== 0) throw new Error('connect failed: ' + api.WSAGetLastError());
    await h.run(1000);
    const loop = api.eventLoop();
    const runs0 = loop.runs;
    const spi0 = h.trace.counters().transactions;
    await h.run(seconds * 1000);
    const wakeups = loop.runs - runs0;
    const fig: IdleFigure = { wakeups, perSecond: wakeups / seconds, transactions: h.trace.counters().transactions - spi0, timers: (h.clock as VirtualClock).pending() };
    api.closesocket(s, undefined);
    return fig;
  } finally {
    await h.close();
  }
}
