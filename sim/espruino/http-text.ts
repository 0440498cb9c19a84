/**
 * The HTTP text of Espruino 2v29's socket server (libs/network/socketserver.c): the header a client
 * request starts with (clientRequestWrite), the head of a server response (serverResponseWriteHead),
 * and the parse of a received head (httpParseHeaders). What each sets on the connection object is
 * what the C sets: headers, method and url, or httpVersion, statusCode and statusMessage.
 */
import type { Conn } from './socket-server';

type Fields = Record<string, unknown>;

/** jsvGetInteger: what Espruino makes of a value where it wants an integer */
export function jsInt(v: unknown): number {
  const n = typeof v === 'number' ? v : typeof v === 'boolean' ? +v : typeof v === 'string' ? parseInt(v, 10) : 0;
  return n === n ? Math.trunc(n) : 0;
}

function isChunked(headers: Fields, anyCase: boolean): boolean {
  const k = Object.keys(headers).find((h) => (anyCase ? h.toLowerCase() === 'transfer-encoding' : h === 'Transfer-Encoding'));
  return k !== undefined && String(headers[k]).toLowerCase() === 'chunked';
}

/** serverResponseSetHeader */
export function setHeader(res: Conn, name: unknown, value: unknown): void {
  const r = res as unknown as { headers?: Record<string, string> };
  if (!r.headers) r.headers = {};
  r.headers[String(name)] = String(value);
}

/** the request line and headers of an HTTP client request; marks `req` chunked when asked */
export function requestHead(req: Conn, options: Fields): string {
  let s = `${options.method} ${options.path} HTTP/1.1\r\nUser-Agent: Espruino 2v29\r\nConnection: close\r\n`;
  const headers = options.headers as Fields | undefined;
  let hasHost = false;
  if (headers && typeof headers === 'object') {
    for (const k of Object.keys(headers)) {
      if (k.toLowerCase() === 'host') hasHost = true;
      s += k + ': ' + String(headers[k]) + '\r\n';
    }
    if (isChunked(headers, false)) req._chunked = true;
  }
  if (!hasHost) {
    const p = jsInt(options.port);
    s += p > 0 && p !== 80 ? `Host: ${options.host}:${p}\r\n` : `Host: ${options.host}\r\n`;
  }
  return s + '\r\n';
}

/** the status line and headers of a server response (the implicit ones, then `headers`); marks `res` chunked when asked */
export function responseHead(res: Conn, statusCode: number, headers: object | undefined): string {
  const all = Object.assign({}, (res as unknown as { headers?: object }).headers ?? {}, headers ?? {}) as Fields;
  let s = `HTTP/1.1 ${statusCode | 0} OK\r\nServer: Espruino 2v29\r\n`;
  for (const k of Object.keys(all)) s += k + ': ' + String(all[k]) + '\r\n';
  if (isChunked(all, true)) res._chunked = true;
  return s + '\r\n';
}

/** httpParseHeaders: undefined while the head is incomplete, else the data after it */
export function parseHeaders(reader: Conn, data: string, isServer: boolean): string | undefined {
  const end = data.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const headers: Record<string, string> = {};
  const r = reader as unknown as Fields;
  r.headers = headers;
  const lines = data.slice(0, end).split('\r\n');
  for (let i = 1; i < lines.length; i++) {
    const colon = lines[i].indexOf(':');
    if (colon <= 0) continue;
    const value = lines[i].slice(colon + 1).replace(/^[ \t]+/, '');
    if (value.length > 0) headers[lines[i].slice(0, colon)] = value;
  }
  if (isChunked(headers, true)) {
    reader._chunked = true;
    reader._recvCount = 1;
  } else {
    const k = Object.keys(headers).find((h) => h.toLowerCase() === 'content-length');
    reader._recvCount = k === undefined ? 0 : parseInt(headers[k], 10) || 0;
  }
  let first = -1;
  let second = -1;
  for (let i = 0; i < data.length && second < 0; i++) {
    const ch = data[i];
    if (ch === ' ' || ch === '\r') { if (first < 0) first = i; else second = i; }
  }
  if (isServer) {
    r.method = data.slice(0, first);
    r.url = data.slice(first + 1, second);
  } else {
    r.httpVersion = data.slice(5, first);
    r.statusCode = data.slice(first + 1, second);
    r.statusMessage = data.slice(second + 1, data.indexOf('\r'));
  }
  return data.slice(end + 4);
}
