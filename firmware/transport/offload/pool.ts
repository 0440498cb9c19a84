/**
 * The hardware-socket pool: which of the W5500's 8 sockets serves which endpoint and in what role
 * (an endpoint's own socket, an armed listener, a connection waiting for accept), and keeping a
 * listening endpoint armed up to its backlog. Reclaiming a background close is the socket layer's
 * rule, not the pool's: when every socket is held, `take` fails.
 */
import { Chip, Sn_MR } from '../../../hal/w5500/registers';
import { Role, St } from './core';
import type { OffloadCore } from './core';

/** an armed listener whose endpoint keeps another armed one */
function isSpare(c: OffloadCore, s: number): boolean {
  if (c.role[s] !== Role.Armed) return false;
  const ep = c.snEp[s];
  for (let k = 0; k < Chip.SOCKETS; k++) if (k !== s && c.snEp[k] === ep && c.role[k] === Role.Armed) return true;
  return false;
}

/** sockets of `ep` in `role` */
export function countRole(c: OffloadCore, ep: number, role: Role): number {
  let n = 0;
  for (let s = 0; s < Chip.SOCKETS; s++) if (c.snEp[s] === ep && c.role[s] === role) n++;
  return n;
}

export function freeSockets(c: OffloadCore): number {
  let n = 0;
  for (let s = 0; s < Chip.SOCKETS; s++) if (c.role[s] === Role.Free) n++;
  return n;
}

/** sockets `take` could hand out now: free ones, and every listener but one per listening endpoint */
export function takeable(c: OffloadCore): number {
  let hw = freeSockets(c);
  for (let ep = 0; ep < c.max; ep++) {
    if (c.st[ep] !== St.Listening) continue;
    const a = countRole(c, ep, Role.Armed);
    if (a > 1) hw += a - 1;
  }
  return hw;
}

/** a free hardware socket for `ep`, else a spare listener (CLOSE); -1 when every one is held */
export function takeSocket(c: OffloadCore, ep: number): number {
  let s = -1;
  for (let k = 0; k < Chip.SOCKETS; k++) if (c.role[k] === Role.Free) { s = k; break; }
  if (s < 0) {
    for (let k = 0; k < Chip.SOCKETS; k++) {
      if (isSpare(c, k)) {
        freeSocket(c, k);
        s = k;
        break;
      }
    }
  }
  if (s < 0) return -1;
  c.role[s] = Role.Own;
  c.snEp[s] = ep;
  return s;
}

/** CLOSE, and the socket is free; a listener may take it on the next turn */
export function freeSocket(c: OffloadCore, s: number): void {
  if (c.role[s] === Role.Free) return;
  c.drv.close(s);
  c.role[s] = Role.Free;
  c.snEp[s] = -1;
  c.snFin[s] = 0;
  c.socketFreed = true;
  c.queue.schedule();
}

/** every socket of a listening endpoint */
export function freeListeners(c: OffloadCore, ep: number): void {
  for (let s = 0; s < Chip.SOCKETS; s++) if (c.snEp[s] === ep) freeSocket(c, s);
}

/** OPEN + LISTEN on `s` for `ep`; a driver error, or 0 */
export function openListener(c: OffloadCore, s: number, ep: number): number {
  let r = c.drv.open(s, Sn_MR.TCP | c.ndBit(ep), c.port[ep]);
  if (r < 0) return r;
  r = c.drv.listen(s);
  if (r < 0) {
    c.drv.close(s);
    return r;
  }
  c.snEp[s] = ep;
  c.snFin[s] = 0;
  c.role[s] = Role.Armed;
  return 0;
}

/** put `s` back into LISTEN for `ep` (its connection went away before accept, or the listener was knocked out) */
export function relisten(c: OffloadCore, s: number, ep: number): void {
  c.drv.close(s);
  c.role[s] = Role.Free;
  c.snEp[s] = -1;
  c.snFin[s] = 0;
  if (!c.down && countRole(c, ep, Role.Armed) + countRole(c, ep, Role.Ready) < c.backlog[ep] && openListener(c, s, ep) === 0) return;
  c.socketFreed = true;
  c.queue.schedule();
}

/** re-arms a listening endpoint up to its backlog, on free hardware sockets only */
export function armMore(c: OffloadCore, ep: number): void {
  while (!c.down && countRole(c, ep, Role.Armed) + countRole(c, ep, Role.Ready) < c.backlog[ep]) {
    let s = -1;
    for (let k = 0; k < Chip.SOCKETS; k++) if (c.role[k] === Role.Free) { s = k; break; }
    if (s < 0 || openListener(c, s, ep) < 0) return;
  }
}

/** every listening endpoint up to its backlog, once sockets came free (not on every pump of a blocking call) */
export function armAll(c: OffloadCore): void {
  if (c.down || !c.socketFreed) return;
  c.socketFreed = false;
  for (let ep = 0; ep < c.max; ep++) if (c.st[ep] === St.Listening) armMore(c, ep);
}

/** the connection of `ep` that has waited longest for accept(), or -1 */
export function oldestReady(c: OffloadCore, ep: number): number {
  let s = -1;
  for (let k = 0; k < Chip.SOCKETS; k++) {
    if (c.snEp[k] === ep && c.role[k] === Role.Ready && (s < 0 || c.snSeq[k] < c.snSeq[s])) s = k;
  }
  return s;
}

/** the NIC is gone: listeners and connections nobody accepted are dropped */
export function dropListeners(c: OffloadCore): void {
  for (let s = 0; s < Chip.SOCKETS; s++) {
    if (c.role[s] === Role.Armed || c.role[s] === Role.Ready) freeSocket(c, s);
  }
}

/** frees the endpoint's own socket (CLOSE) and its record */
export function freeEndpoint(c: OffloadCore, ep: number): void {
  const s = c.sn[ep];
  if (s >= 0) freeSocket(c, s);
  c.retire(ep);
}
