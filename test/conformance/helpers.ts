/**
 * Steps the conformance tests share: connecting the device to a peer either way, moving bytes with
 * non-blocking calls while time passes, and reading an FD_* log. Written only against the socket
 * API and the rig, so they hold on every transport.
 */
import assert from 'node:assert/strict';
import { AddressFamily, IoctlCmd, OptLevel, SockOpt, SockType } from '../../firmware/socket/constants';
import { WSAError } from '../../firmware/socket/errors';
import type { CloseResult, SockAddr } from '../../firmware/socket/types';
import type { ConformanceRig, PeerConn, PeerListener } from '../../sim/conformance/rig';

/** how long a step may take before the test gives up, ms of the rig's clock */
export const STEP_MS = 5000;

/** deterministic, position-dependent bytes, so a lost, doubled or reordered byte shows */
export function pattern(n: number, seed = 1): Uint8Array {
  const b = new Uint8Array(n);
  let x = (seed * 2654435761) >>> 0;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    b[i] = (x >>> 16) & 255;
  }
  return b;
}

export function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/** byte-exact comparison with a short message instead of a 3000-element diff */
export function assertBytes(got: Uint8Array, want: Uint8Array, what: string): void {
  if (got.length === want.length) {
    let i = 0;
    while (i < got.length && got[i] === want[i]) i++;
    if (i === got.length) return;
    assert.fail(`${what}: byte ${i} is ${got[i]}, expected ${want[i]}`);
  }
  let i = 0;
  while (i < got.length && i < want.length && got[i] === want[i]) i++;
  assert.fail(`${what}: ${got.length} bytes, expected ${want.length} (first difference at ${i})`);
}

export function expectError(rig: ConformanceRig, result: unknown, code: number, what: string): void {
  assert.equal(result, -1, what + ' returns SOCKET_ERROR');
  assert.equal(rig.api.WSAGetLastError(), code, what + ' sets ' + code);
}

export async function waitFor(rig: ConformanceRig, pred: () => boolean, what: string, ms = STEP_MS): Promise<void> {
  if (!(await rig.runUntil(pred, ms))) assert.fail(`timed out (${ms} ms) waiting for ${what}`);
}

export function tcpSocket(rig: ConformanceRig, type: number = SockType.SOCK_STREAM): number {
  const s = rig.api.socket(AddressFamily.AF_INET, type, 0);
  assert.ok(s > 0, 'socket() failed with ' + rig.api.WSAGetLastError());
  return s;
}

export function setNonBlocking(rig: ConformanceRig, s: number, on: boolean): void {
  assert.equal(rig.api.ioctlsocket(s, IoctlCmd.FIONBIO, on ? 1 : 0), 0, 'FIONBIO');
}

export function setLinger(rig: ConformanceRig, s: number, onoff: number, seconds: number): void {
  assert.equal(rig.api.setsockopt(s, OptLevel.SOL_SOCKET, SockOpt.SO_LINGER, { onoff, linger: seconds }), 0, 'SO_LINGER');
}

export function isConnected(rig: ConformanceRig, s: number): boolean {
  const out: SockAddr = { addr: '', port: 0 };
  return rig.api.getpeername(s, out) === 0;
}

export interface Connected {
  s: number;
  peer: PeerConn;
}

/** the device connects (non-blocking) to a kernel/scripted peer listening for it */
export async function deviceConnects(rig: ConformanceRig, l: PeerListener, type: number = SockType.SOCK_STREAM): Promise<Connected> {
  const s = tcpSocket(rig, type);
  setNonBlocking(rig, s, true);
  const before = l.conns.length;
  expectError(rig, rig.api.connect(s, rig.peers.ip, l.port), WSAError.WSAEWOULDBLOCK, 'non-blocking connect');
  await waitFor(rig, () => l.conns.length > before && isConnected(rig, s), 'the connection to the peer');
  return { s, peer: l.conns[before] };
}

let nextPort = 7100;
/** a device port no other test in this run uses */
export function freshPort(): number {
  nextPort = nextPort >= 7990 ? 7100 : nextPort + 1;
  return nextPort;
}

export interface Accepted extends Connected {
  listener: number;
}

/** the device listens and accepts (non-blocking) one connection from a peer */
export async function deviceAccepts(rig: ConformanceRig, type: number = SockType.SOCK_STREAM): Promise<Accepted> {
  const api = rig.api;
  const l = tcpSocket(rig, type);
  const port = freshPort();
  assert.equal(api.bind(l, '0.0.0.0', port), 0, 'bind ' + api.WSAGetLastError());
  assert.equal(api.listen(l, 1), 0, 'listen ' + api.WSAGetLastError());
  setNonBlocking(rig, l, true);
  const peer = await rig.peers.connect(port);
  let s = -1;
  await waitFor(rig, () => (s = api.accept(l, undefined)) > 0, 'accept');
  return { s, peer, listener: l };
}

/** sends all of `data`, letting time pass whenever the socket says WSAEWOULDBLOCK */
export async function sendAll(rig: ConformanceRig, s: number, data: Uint8Array, ms = STEP_MS): Promise<void> {
  let off = 0;
  const end = rig.now() + ms;
  while (off < data.length) {
    const n = rig.api.send(s, data.subarray(off), undefined, undefined);
    if (n > 0) { off += n; continue; }
    assert.equal(n, -1, 'send returns a count or SOCKET_ERROR');
    assert.equal(rig.api.WSAGetLastError(), WSAError.WSAEWOULDBLOCK, 'send fails only with WSAEWOULDBLOCK');
    if (rig.now() > end) assert.fail(`send stalled after ${off} of ${data.length} bytes`);
    await rig.run(2);
  }
}

export interface Drained {
  bytes: Uint8Array;
  /** 0 when recv returned 0 (graceful end), else the error that ended the reading */
  end: number;
}

/** recv (non-blocking) until the end of the stream or an error other than WSAEWOULDBLOCK */
export async function recvToEnd(rig: ConformanceRig, s: number, ms = STEP_MS): Promise<Drained> {
  const buf = new Uint8Array(1460);
  let got: Uint8Array = new Uint8Array(0);
  const end = rig.now() + ms;
  for (;;) {
    const n = rig.api.recv(s, buf, undefined, undefined);
    if (n > 0) { got = concat(got, buf.subarray(0, n)); continue; }
    if (n === 0) return { bytes: got, end: 0 };
    const e = rig.api.WSAGetLastError();
    if (e !== WSAError.WSAEWOULDBLOCK) return { bytes: got, end: e };
    if (rig.now() > end) assert.fail(`recv: no end of stream after ${got.length} bytes`);
    await rig.run(2);
  }
}

/** recv (non-blocking) until `n` bytes have come */
export async function recvExactly(rig: ConformanceRig, s: number, n: number, ms = STEP_MS): Promise<Uint8Array> {
  const buf = new Uint8Array(n);
  let off = 0;
  const end = rig.now() + ms;
  while (off < n) {
    const r = rig.api.recv(s, buf.subarray(off), undefined, undefined);
    if (r > 0) { off += r; continue; }
    if (r === 0) assert.fail(`recv: end of stream after ${off} of ${n} bytes`);
    assert.equal(rig.api.WSAGetLastError(), WSAError.WSAEWOULDBLOCK, 'recv error');
    if (rig.now() > end) assert.fail(`recv: ${off} of ${n} bytes`);
    await rig.run(2);
  }
  return buf;
}

/** a closesocket `done` callback and what it reported */
export function closeWatch(): { done: (r: CloseResult) => void; result: CloseResult | undefined; calls: number } {
  const w = {
    result: undefined as CloseResult | undefined,
    calls: 0,
    done(r: CloseResult) { w.result = r; w.calls++; },
  };
  return w;
}

/** every hardware socket / endpoint is free again (background closes finish within their bound) */
export async function expectAllFree(rig: ConformanceRig, ms = 6000): Promise<void> {
  await rig.runUntil(() => rig.freeEndpoints() === rig.totalEndpoints, ms);
  assert.equal(rig.freeEndpoints(), rig.totalEndpoints, 'every hardware socket is free again');
}

/** consecutive duplicates collapse: how many FD_READs a stream of segments raises is not part of the contract */
export function collapse(log: string[]): string[] {
  const out: string[] = [];
  for (const x of log) if (out[out.length - 1] !== x) out.push(x);
  return out;
}
