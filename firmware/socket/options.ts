/**
 * setsockopt, getsockopt and ioctlsocket: SO_LINGER / SO_DONTLINGER, SO_KEEPALIVE, SO_RCVTIMEO /
 * SO_SNDTIMEO, SO_ERROR, SO_TYPE, SO_ACCEPTCONN, TCP_NODELAY, FIONBIO and FIONREAD.
 */
import { TOption } from '../transport/transport';
import { WSAError } from './errors';
import { IoctlCmd, OptLevel, SockOpt, SockType, TcpOpt } from './constants';
import { SelectMode } from './events';
import { isCount } from './address';
import { SState } from './sock';
import type { Sock } from './sock';
import type { IoctlArg, Linger } from './types';
import { fail, get, isFlag, isObject, isStreamType } from './core';
import type { LayerCore } from './core';
import { pullMessages } from './seqpacket';
import { WITH_KEEPALIVE, WITH_NODELAY, WITH_SEQPACKET } from '../features';

export function setsockopt(c: LayerCore, sh: number, level: number, opt: number, value: unknown): number {
  const s = get(c, sh);
  if (!s) return fail(c, WSAError.WSAENOTSOCK);
  const stream = isStreamType(s.type);
  if (level === OptLevel.SOL_SOCKET) {
    switch (opt) {
      case SockOpt.SO_LINGER: {
        if (!stream) return fail(c, WSAError.WSAENOPROTOOPT);
        if (!isObject(value)) return fail(c, WSAError.WSAEFAULT);
        const l = value as Linger;
        if (!isFlag(l.onoff) || !isCount(l.linger) || l.linger > 65535) return fail(c, WSAError.WSAEFAULT);
        s.lingerOn = !!l.onoff;
        s.lingerSec = l.linger;
        return 0;
      }
      case SockOpt.SO_DONTLINGER:
        if (!stream) return fail(c, WSAError.WSAENOPROTOOPT);
        if (!isFlag(value)) return fail(c, WSAError.WSAEFAULT);
        s.lingerOn = !value;
        return 0;
      case SockOpt.SO_KEEPALIVE:
        if (!WITH_KEEPALIVE || !stream) return fail(c, WSAError.WSAENOPROTOOPT);
        if (!isFlag(value)) return fail(c, WSAError.WSAEFAULT);
        s.keepAlive = !!value;
        if (s.ep >= 0) c.transport.setOption(s.ep, TOption.KeepAlive, s.keepAlive ? c.keepAliveSeconds : 0);
        return 0;
      case SockOpt.SO_RCVTIMEO:
      case SockOpt.SO_SNDTIMEO:
        if (!isCount(value)) return fail(c, WSAError.WSAEFAULT);
        if (opt === SockOpt.SO_RCVTIMEO) s.rcvTimeo = value as number;
        else s.sndTimeo = value as number;
        return 0;
    }
    return fail(c, WSAError.WSAENOPROTOOPT);
  }
  if (level === OptLevel.IPPROTO_TCP) {
    if (!WITH_NODELAY || opt !== TcpOpt.TCP_NODELAY || !stream) return fail(c, WSAError.WSAENOPROTOOPT);
    if (!isFlag(value)) return fail(c, WSAError.WSAEFAULT);
    s.noDelay = !!value;
    if (s.ep >= 0) c.transport.setOption(s.ep, TOption.NoDelay, s.noDelay ? 1 : 0);
    return 0;
  }
  return fail(c, WSAError.WSAEINVAL);
}

/** the option's value (a number, or a Linger for SO_LINGER), or SOCKET_ERROR */
export function getsockopt(c: LayerCore, sh: number, level: number, opt: number): number | Linger {
  const s = get(c, sh);
  if (!s) return fail(c, WSAError.WSAENOTSOCK);
  const stream = isStreamType(s.type);
  if (level === OptLevel.SOL_SOCKET) {
    switch (opt) {
      case SockOpt.SO_LINGER:
        if (!stream) return fail(c, WSAError.WSAENOPROTOOPT);
        return { onoff: s.lingerOn ? 1 : 0, linger: s.lingerSec };
      case SockOpt.SO_DONTLINGER:
        if (!stream) return fail(c, WSAError.WSAENOPROTOOPT);
        return s.lingerOn ? 0 : 1;
      case SockOpt.SO_KEEPALIVE:
        if (!WITH_KEEPALIVE || !stream) return fail(c, WSAError.WSAENOPROTOOPT);
        return s.keepAlive ? 1 : 0;
      case SockOpt.SO_RCVTIMEO: return s.rcvTimeo;
      case SockOpt.SO_SNDTIMEO: return s.sndTimeo;
      case SockOpt.SO_ERROR: {
        const e = s.soError;
        s.soError = 0;
        return e;
      }
      case SockOpt.SO_TYPE: return s.type;
      case SockOpt.SO_ACCEPTCONN: return s.state === SState.Listening ? 1 : 0;
    }
    return fail(c, WSAError.WSAENOPROTOOPT);
  }
  if (level === OptLevel.IPPROTO_TCP) {
    if (!WITH_NODELAY || opt !== TcpOpt.TCP_NODELAY || !stream) return fail(c, WSAError.WSAENOPROTOOPT);
    return s.noDelay ? 1 : 0;
  }
  return fail(c, WSAError.WSAEINVAL);
}

export function ioctlsocket(c: LayerCore, sh: number, cmd: number, arg: number | IoctlArg): number {
  const s = get(c, sh);
  if (!s) return fail(c, WSAError.WSAENOTSOCK);
  if (cmd === IoctlCmd.FIONBIO) {
    let v: unknown = arg;
    if (isObject(arg)) v = (arg as IoctlArg).value;
    if (!isFlag(v)) return fail(c, WSAError.WSAEFAULT);
    if (!v && s.book.mode !== SelectMode.None) return fail(c, WSAError.WSAEINVAL);
    s.nonBlocking = !!v;
    return 0;
  }
  if (cmd === IoctlCmd.FIONREAD) {
    if (!isObject(arg)) return fail(c, WSAError.WSAEFAULT);
    (arg as IoctlArg).value = readableCount(c, s);
    return 0;
  }
  return fail(c, WSAError.WSAEINVAL);
}

export function readableCount(c: LayerCore, s: Sock): number {
  if (s.ep < 0 || s.abortError !== 0) return 0;
  if (WITH_SEQPACKET && s.type === SockType.SOCK_SEQPACKET) {
    pullMessages(c, s);
    return s.reader && s.reader.ready() ? s.reader.length() : 0;
  }
  const n = c.transport.readable(s.ep);
  return n < 0 ? 0 : n;
}
