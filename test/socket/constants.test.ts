import assert from 'node:assert/strict';
import { WSAError } from '../../firmware/socket/errors';
import { IoctlCmd, OptLevel, ShutdownHow, SockOpt, SockType, TcpOpt, WSAResult } from '../../firmware/socket/constants';

describe('Winsock values (docs/socket-semantics.md §8, winsock2.h)', () => {
  it('every error code of the contract has its Winsock value', () => {
    const table: [number, number][] = [
      [WSAError.WSAEINTR, 10004], [WSAError.WSAEFAULT, 10014], [WSAError.WSAEINVAL, 10022], [WSAError.WSAEMFILE, 10024],
      [WSAError.WSAEWOULDBLOCK, 10035], [WSAError.WSAEINPROGRESS, 10036], [WSAError.WSAEALREADY, 10037],
      [WSAError.WSAENOTSOCK, 10038], [WSAError.WSAEMSGSIZE, 10040], [WSAError.WSAENOPROTOOPT, 10042],
      [WSAError.WSAEPROTONOSUPPORT, 10043], [WSAError.WSAESOCKTNOSUPPORT, 10044], [WSAError.WSAEOPNOTSUPP, 10045],
      [WSAError.WSAEAFNOSUPPORT, 10047], [WSAError.WSAEADDRINUSE, 10048], [WSAError.WSAEADDRNOTAVAIL, 10049],
      [WSAError.WSAENETDOWN, 10050], [WSAError.WSAENETUNREACH, 10051], [WSAError.WSAENETRESET, 10052],
      [WSAError.WSAECONNABORTED, 10053], [WSAError.WSAECONNRESET, 10054], [WSAError.WSAENOBUFS, 10055],
      [WSAError.WSAEISCONN, 10056], [WSAError.WSAENOTCONN, 10057], [WSAError.WSAESHUTDOWN, 10058],
      [WSAError.WSAETIMEDOUT, 10060], [WSAError.WSAECONNREFUSED, 10061], [WSAError.WSAEHOSTUNREACH, 10065],
      [WSAError.WSAEDISCON, 10101], [WSAError.WSAHOST_NOT_FOUND, 11001],
    ];
    for (const [got, want] of table) assert.equal(got, want);
  });

  it('options, levels, ioctls and shutdown values are winsock2.h’s', () => {
    assert.deepEqual([WSAResult.SOCKET_ERROR, WSAResult.INVALID_SOCKET], [-1, -1]);
    assert.deepEqual([SockType.SOCK_STREAM, SockType.SOCK_DGRAM, SockType.SOCK_SEQPACKET], [1, 2, 5]);
    assert.deepEqual([ShutdownHow.SD_RECEIVE, ShutdownHow.SD_SEND, ShutdownHow.SD_BOTH], [0, 1, 2]);
    assert.deepEqual([OptLevel.SOL_SOCKET, OptLevel.IPPROTO_TCP], [0xffff, 6]);
    assert.equal(SockOpt.SO_LINGER, 0x0080);
    assert.equal(SockOpt.SO_DONTLINGER, ~0x0080, '(int)(~SO_LINGER)');
    assert.deepEqual([SockOpt.SO_KEEPALIVE, SockOpt.SO_SNDTIMEO, SockOpt.SO_RCVTIMEO, SockOpt.SO_ERROR, SockOpt.SO_TYPE], [0x8, 0x1005, 0x1006, 0x1007, 0x1008]);
    assert.equal(TcpOpt.TCP_NODELAY, 1);
    assert.equal(IoctlCmd.FIONBIO >>> 0, 0x8004667e);
    assert.equal(IoctlCmd.FIONREAD >>> 0, 0x4004667f);
  });
});
