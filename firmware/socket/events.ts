/**
 * FD_* event bookkeeping for one socket, without I/O or time: which events are selected, which
 * are waiting for their re-enabling call, which one-shot events have already been recorded, and
 * the WSAEventSelect record. The socket layer reports conditions ("data is readable", "the peer
 * closed"); `record` says whether that makes a notification now, following Winsock:
 *
 * - FD_READ, FD_OOB, FD_ACCEPT are level-triggered: once recorded they are not recorded again until
 *   the re-enabling call (recv/recvfrom, recv, accept) — even one that fails — after which a
 *   condition that still holds is recorded again.
 * - FD_WRITE is recorded after connect/accept, and then only after a send failed WSAEWOULDBLOCK and
 *   space came back; send/sendto re-enable it.
 * - FD_CONNECT and FD_CLOSE are one-shot per connection; nothing re-enables them.
 * - An event that is not selected is not recorded (and so stays pending as a condition, to be
 *   recorded at once if it is selected later).
 */
import { FdEvent } from './constants';
import { WITH_EVENT_SELECT } from '../features';

export const enum SelectMode {
  None = 0,
  /** WSAAsyncSelect: a handler call per notification */
  Async = 1,
  /** WSAEventSelect: the record read by WSAEnumNetworkEvents */
  Event = 2,
}

const LEVEL = FdEvent.FD_READ | FdEvent.FD_OOB | FdEvent.FD_ACCEPT | FdEvent.FD_WRITE;
const ONE_SHOT = FdEvent.FD_CONNECT | FdEvent.FD_CLOSE;

export class EventBook {
  mode: SelectMode = SelectMode.None;
  /** lEvent of the current selection */
  selected = 0;
  /** events recorded and not yet re-enabled */
  disabled = 0;
  /** one-shot events already recorded for this connection */
  fired = 0;
  /** a send failed with WSAEWOULDBLOCK: FD_WRITE is due when space comes back */
  writeArmed = false;
  /** FD_WRITE is due because the connection was just established (connect/accept) */
  writeOnConnect = false;
  /** WSAEventSelect record: occurred events and their errors, by FdBit */
  occurred = 0;
  errors: number[] = WITH_EVENT_SELECT ? [0, 0, 0, 0, 0, 0, 0, 0, 0, 0] : [];
}

/** bit index (FdBit) of a single FD_* mask */
export function fdBit(ev: number): number {
  let i = 0;
  while (ev > 1) { ev = ev >>> 1; i++; }
  return i;
}

/** a new WSAAsyncSelect / WSAEventSelect: replaces the previous selection of either kind */
export function select(b: EventBook, mode: SelectMode, events: number): void {
  b.mode = events === 0 ? SelectMode.None : mode;
  b.selected = events;
  if (WITH_EVENT_SELECT && (mode === SelectMode.Event || events === 0)) {
    b.occurred = 0;
    for (let i = 0; i < b.errors.length; i++) b.errors[i] = 0;
  }
}

/**
 * A condition holds now. Returns true when it becomes a notification (the caller posts it, or for
 * WSAEventSelect it is now in the record); false when not selected, disabled or already fired.
 */
export function record(b: EventBook, ev: number, error: number): boolean {
  if (b.mode === SelectMode.None || (b.selected & ev) === 0) return false;
  if (ev === FdEvent.FD_WRITE && !b.writeArmed && !b.writeOnConnect) return false;
  if ((b.disabled & ev) !== 0 || (b.fired & ev) !== 0) return false;
  if ((LEVEL & ev) !== 0) b.disabled |= ev;
  if ((ONE_SHOT & ev) !== 0) b.fired |= ev;
  if (ev === FdEvent.FD_WRITE) { b.writeArmed = false; b.writeOnConnect = false; }
  if (WITH_EVENT_SELECT && b.mode === SelectMode.Event) {
    b.occurred |= ev;
    b.errors[fdBit(ev)] = error;
  }
  return true;
}

/** the re-enabling call for `ev` was made (recv → FD_READ, accept → FD_ACCEPT, send → FD_WRITE) */
export function reenable(b: EventBook, ev: number): void {
  b.disabled &= ~ev;
}

/** a send failed WSAEWOULDBLOCK */
export function armWrite(b: EventBook): void {
  b.writeArmed = true;
  b.disabled &= ~FdEvent.FD_WRITE;
}

/** the connection is established (connect completed, or this socket came from accept) */
export function connected(b: EventBook): void {
  b.writeOnConnect = true;
}

/**
 * WSAAsyncSelect's "FD_WRITE when selected, if a send is possible": an explicit condition only at
 * selection time; afterwards FD_WRITE follows connect/accept and WSAEWOULDBLOCK only.
 */
export function writePossibleAtSelect(b: EventBook): void {
  b.writeOnConnect = true;
}

/** a new connection attempt (connect after a failed one): its one-shot events may come again */
export function newConnection(b: EventBook): void {
  b.fired = 0;
  b.writeOnConnect = false;
  b.writeArmed = false;
}

/** WSAEnumNetworkEvents: returns the record and clears it */
export function takeRecord(b: EventBook, errorsOut: number[]): number {
  const occurred = b.occurred;
  for (let i = 0; i < b.errors.length; i++) {
    errorsOut[i] = b.errors[i];
    b.errors[i] = 0;
  }
  b.occurred = 0;
  return occurred;
}

/** the Winsock name of an FD_* event, for logs */
export function fdEventName(ev: number): string {
  switch (ev) {
    case FdEvent.FD_READ: return 'FD_READ';
    case FdEvent.FD_WRITE: return 'FD_WRITE';
    case FdEvent.FD_OOB: return 'FD_OOB';
    case FdEvent.FD_ACCEPT: return 'FD_ACCEPT';
    case FdEvent.FD_CONNECT: return 'FD_CONNECT';
    case FdEvent.FD_CLOSE: return 'FD_CLOSE';
  }
  return 'FD_' + ev;
}
