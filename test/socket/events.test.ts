import assert from 'node:assert/strict';
import { EventBook, SelectMode, armWrite, connected, fdBit, newConnection, record, reenable, select, takeRecord, writePossibleAtSelect } from '../../firmware/socket/events';
import { FdBit, FdEvent } from '../../firmware/socket/constants';
import { closeIndication, connectError, endError } from '../../firmware/socket/teardown';
import { TCause } from '../../firmware/transport/transport';
import { WSAError } from '../../firmware/socket/errors';

const ALL = FdEvent.FD_READ | FdEvent.FD_WRITE | FdEvent.FD_OOB | FdEvent.FD_ACCEPT | FdEvent.FD_CONNECT | FdEvent.FD_CLOSE;

function asyncBook(events = ALL): EventBook {
  const b = new EventBook();
  select(b, SelectMode.Async, events);
  return b;
}

describe('FD_* bookkeeping (events.ts)', () => {
  it('uses the Winsock values and bit indices', () => {
    assert.deepEqual([FdEvent.FD_READ, FdEvent.FD_WRITE, FdEvent.FD_OOB, FdEvent.FD_ACCEPT, FdEvent.FD_CONNECT, FdEvent.FD_CLOSE, FdEvent.FD_ALL_EVENTS],
      [0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x3ff]);
    assert.deepEqual([fdBit(FdEvent.FD_READ), fdBit(FdEvent.FD_WRITE), fdBit(FdEvent.FD_OOB), fdBit(FdEvent.FD_ACCEPT), fdBit(FdEvent.FD_CONNECT), fdBit(FdEvent.FD_CLOSE)],
      [FdBit.FD_READ_BIT, FdBit.FD_WRITE_BIT, FdBit.FD_OOB_BIT, FdBit.FD_ACCEPT_BIT, FdBit.FD_CONNECT_BIT, FdBit.FD_CLOSE_BIT]);
    assert.deepEqual([FdBit.FD_READ_BIT, FdBit.FD_CLOSE_BIT, FdBit.FD_MAX_EVENTS], [0, 5, 10]);
  });

  it('records nothing without a selection, and nothing that is not selected', () => {
    const b = new EventBook();
    assert.equal(record(b, FdEvent.FD_READ, 0), false);
    select(b, SelectMode.Async, FdEvent.FD_CLOSE);
    assert.equal(record(b, FdEvent.FD_READ, 0), false);
    assert.equal(record(b, FdEvent.FD_CLOSE, 0), true);
  });

  it('FD_READ is level-triggered: once until recv re-enables it, even a failing recv', () => {
    const b = asyncBook();
    assert.equal(record(b, FdEvent.FD_READ, 0), true);
    assert.equal(record(b, FdEvent.FD_READ, 0), false, 'more data arrives: no second FD_READ');
    assert.equal(record(b, FdEvent.FD_READ, 0), false);
    reenable(b, FdEvent.FD_READ); // recv, whatever it returned
    assert.equal(record(b, FdEvent.FD_READ, 0), true, 'data still there after recv: FD_READ again');
  });

  it('FD_ACCEPT and FD_OOB are level-triggered and re-enabled by their own call only', () => {
    const b = asyncBook();
    assert.equal(record(b, FdEvent.FD_ACCEPT, 0), true);
    reenable(b, FdEvent.FD_READ);
    assert.equal(record(b, FdEvent.FD_ACCEPT, 0), false, 'recv does not re-enable FD_ACCEPT');
    reenable(b, FdEvent.FD_ACCEPT);
    assert.equal(record(b, FdEvent.FD_ACCEPT, 0), true);
    assert.equal(record(b, FdEvent.FD_OOB, 0), true);
    assert.equal(record(b, FdEvent.FD_OOB, 0), false);
  });

  it('FD_WRITE: after connect, then only after WSAEWOULDBLOCK and space coming back', () => {
    const b = asyncBook();
    assert.equal(record(b, FdEvent.FD_WRITE, 0), false, 'space alone is no FD_WRITE');
    connected(b);
    assert.equal(record(b, FdEvent.FD_WRITE, 0), true, 'FD_WRITE once the connection is up');
    assert.equal(record(b, FdEvent.FD_WRITE, 0), false);
    reenable(b, FdEvent.FD_WRITE); // a successful send
    assert.equal(record(b, FdEvent.FD_WRITE, 0), false, 'a send that succeeded does not make FD_WRITE due');
    armWrite(b); // a send failed WSAEWOULDBLOCK
    assert.equal(record(b, FdEvent.FD_WRITE, 0), true, 'space came back');
    assert.equal(record(b, FdEvent.FD_WRITE, 0), false);
  });

  it('selecting FD_WRITE while a send is possible makes it due once', () => {
    const b = asyncBook(FdEvent.FD_WRITE);
    writePossibleAtSelect(b);
    assert.equal(record(b, FdEvent.FD_WRITE, 0), true);
    assert.equal(record(b, FdEvent.FD_WRITE, 0), false);
  });

  it('FD_CONNECT and FD_CLOSE are one-shot; no call re-enables them, nor a new selection', () => {
    const b = asyncBook();
    assert.equal(record(b, FdEvent.FD_CONNECT, WSAError.WSAECONNREFUSED), true);
    assert.equal(record(b, FdEvent.FD_CONNECT, 0), false);
    assert.equal(record(b, FdEvent.FD_CLOSE, 0), true);
    reenable(b, FdEvent.FD_CLOSE | FdEvent.FD_CONNECT | FdEvent.FD_READ);
    assert.equal(record(b, FdEvent.FD_CLOSE, 0), false);
    select(b, SelectMode.Async, ALL);
    assert.equal(record(b, FdEvent.FD_CLOSE, 0), false);
    assert.equal(record(b, FdEvent.FD_CONNECT, 0), false);
  });

  it('a new connection attempt (connect after a failed one) makes FD_CONNECT and FD_CLOSE possible again', () => {
    const b = asyncBook();
    assert.equal(record(b, FdEvent.FD_CONNECT, WSAError.WSAECONNREFUSED), true);
    newConnection(b);
    assert.equal(record(b, FdEvent.FD_CONNECT, 0), true);
    assert.equal(record(b, FdEvent.FD_CONNECT, 0), false);
  });

  it('a condition that held before the selection is recorded when it is selected', () => {
    const b = new EventBook();
    assert.equal(record(b, FdEvent.FD_CLOSE, 0), false);
    select(b, SelectMode.Async, FdEvent.FD_CLOSE);
    assert.equal(record(b, FdEvent.FD_CLOSE, 0), true);
  });

  it('WSAEventSelect record: occurred bits and per-event errors, cleared when read', () => {
    const b = new EventBook();
    select(b, SelectMode.Event, ALL);
    connected(b);
    record(b, FdEvent.FD_WRITE, 0);
    record(b, FdEvent.FD_READ, 0);
    record(b, FdEvent.FD_CLOSE, WSAError.WSAECONNRESET);
    const errs: number[] = [];
    assert.equal(takeRecord(b, errs), FdEvent.FD_WRITE | FdEvent.FD_READ | FdEvent.FD_CLOSE);
    assert.deepEqual(errs, [0, 0, 0, 0, 0, WSAError.WSAECONNRESET, 0, 0, 0, 0]);
    assert.equal(takeRecord(b, errs), 0);
    assert.deepEqual(errs, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('a new selection of either kind replaces the previous one', () => {
    const b = asyncBook(FdEvent.FD_READ);
    select(b, SelectMode.Event, FdEvent.FD_CLOSE);
    assert.equal(b.mode, SelectMode.Event);
    assert.equal(record(b, FdEvent.FD_READ, 0), false);
    select(b, SelectMode.Async, 0);
    assert.equal(b.mode, SelectMode.None);
    assert.equal(record(b, FdEvent.FD_CLOSE, 0), false);
  });
});

describe('teardown rules (teardown.ts)', () => {
  it('FD_CLOSE error by cause: 0 / WSAECONNRESET / WSAECONNABORTED / WSAENETDOWN', () => {
    assert.equal(endError(TCause.None), 0);
    assert.equal(endError(TCause.Reset), 10054);
    assert.equal(endError(TCause.Timeout), 10053);
    assert.equal(endError(TCause.NetDown), 10050);
  });
  it('connect failures: refused 10061, timeout 10060, unreachable 10065, NIC down 10050', () => {
    assert.equal(connectError(TCause.None), 0);
    assert.equal(connectError(TCause.Refused), 10061);
    assert.equal(connectError(TCause.Timeout), 10060);
    assert.equal(connectError(TCause.Unreachable), 10065);
    assert.equal(connectError(TCause.NetDown), 10050);
  });
  it('graceful FD_CLOSE waits until every byte has been read; an abortive end does not wait', () => {
    assert.equal(closeIndication(false, 0, 0), -1, 'no FIN yet');
    assert.equal(closeIndication(true, 0, 10), -1, 'FIN, 10 bytes unread: FD_READ first');
    assert.equal(closeIndication(true, 0, 0), 0, 'FIN and all read');
    assert.equal(closeIndication(false, WSAError.WSAECONNRESET, 10), WSAError.WSAECONNRESET);
    assert.equal(closeIndication(true, WSAError.WSAECONNABORTED, 3), WSAError.WSAECONNABORTED);
  });
});
