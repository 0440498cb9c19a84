/**
 * Connection lifecycles on the shared rig: connect, send `bytes`, shutdown, the peer's FIN, closesocket.
 * Returns the variables in use (process.memory().usage, after a garbage collection) after each one and
 * throws if the last is above the first (the first lifecycle's allocations are the baseline: buffers,
 * the socket layer's tables) — a field device runs for years.
 */
import { SelfRig, PEER_IP } from './rig';
import { pattern } from './scenarios';
import { AddressFamily, FdEvent, ShutdownHow, SockType } from '../../firmware/socket/constants';
import type { CloseResult } from '../../firmware/socket/types';
import type { VTcpPeer } from '../w5500/virtual-net';
import { variablesInUse } from './memory';


interface Step {
  writable: boolean;
  result: CloseResult | undefined;
}

/** variables a lifecycle may leave in use for good without it being a leak (Espruino's own caches) */
const SLACK = 4;

export function lifecycles(r: SelfRig, count: number, bytes: number): Uint32Array {
  const api = r.api;
  const l = r.net.listen({ ip: PEER_IP, port: 7000 });
  let taken = 0;
  l.onAccept = function (p: VTcpPeer) {
    // the peer counts what arrives and lets it go, as a real receiver would
    p.onData = function (b: Uint8Array) { taken += b.length; p.take(); };
    p.onFin = function () { p.fin(); };
  };
  // every socket handle slot once (handles wrap at maxSockets, 32): the layer's handle table is then at its
  // full size, so what the lifecycles leave behind shows as growth
  for (let k = 0; k < 32; k++) api.closesocket(api.socket(AddressFamily.AF_INET, SockType.SOCK_STREAM, 0), undefined);
  const chunk = pattern(1024, 9);
  // a typed array: a growing Array would itself take one more variable per lifecycle
  const usage = new Uint32Array(count);
  const st: Step = { writable: false, result: undefined };
  const onEvent = function (h: number, ev: number): void { if (ev === FdEvent.FD_WRITE) st.writable = true; };
  const onClosed = function (x: CloseResult): void { st.result = x; };
  const isWritable = function (): boolean { return st.writable; };
  const isClosed = function (): boolean { return st.result !== undefined; };
  for (let i = 0; i < count; i++) {
    taken = 0;
    st.writable = false;
    st.result = undefined;
    const s = api.socket(AddressFamily.AF_INET, SockType.SOCK_STREAM, 0);
    if (s <= 0) throw new Error('socket() failed in lifecycle ' + i);
    api.WSAAsyncSelect(s, onEvent, FdEvent.FD_WRITE);
    api.connect(s, PEER_IP, 7000);
    let sent = 0;
    while (sent < bytes) {
      if (!r.until(isWritable, 5000)) throw new Error('send stalled at ' + sent + ' in lifecycle ' + i);
      const n = api.send(s, chunk, Math.min(chunk.length, bytes - sent), 0);
      if (n > 0) sent += n;
      else st.writable = false; // WSAEWOULDBLOCK: FD_WRITE follows
    }
    api.shutdown(s, ShutdownHow.SD_SEND);
    api.closesocket(s, onClosed);
    r.until(isClosed, 10000);
    const res = st.result as CloseResult | undefined;
    if (!res || !res.graceful) throw new Error('lifecycle ' + i + ' did not close gracefully: ' + JSON.stringify(res));
    if (taken !== bytes) throw new Error('lifecycle ' + i + ': the peer got ' + taken + ' of ' + bytes + ' bytes');
    r.run(20);
    l.accepted.splice(0, l.accepted.length); // Espruino cannot assign an array's length
    usage[i] = variablesInUse();
  }
  l.close();
  if (usage[count - 1] > usage[0] + SLACK) throw new Error('variables in use grew: ' + usage.join(' '));
  return usage;
}
