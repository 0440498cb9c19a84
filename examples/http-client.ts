import type { App } from '../firmware/app/app';
import { connect } from '../firmware/espruino/wiznet';
import { DnsResolver } from '../firmware/services/dns';

/**
 * An HTTP client on Espruino's own `http` module over the NetworkJS adapter: it POSTs a report
 * (the temperature reading) and learns that it was delivered — the server's status line and the
 * end of its answer, which the adapter hands over only after the last byte. A reset or any other
 * failure reaches `error` with Espruino's code, never a clean end.
 *
 * The collector is "host:port" in the global HTTP_CLIENT_SERVER when one was set before upload
 * (e.g. `var HTTP_CLIENT_SERVER = "192.168.1.10:8080";`), else COLLECTOR below; a host name is
 * resolved by the DNS resolver through the server given to setIP (the adapter hands it to DNS).
 */
interface Res { statusCode: string; on(ev: string, fn: (d?: string) => void): void }
interface Req { on(ev: string, fn: (e: { code: number; message: string }) => void): void; end(body: string): void }
declare function require(name: 'http'): { request(o: object, fn: (res: Res) => void): Req };
declare const HTTP_CLIENT_SERVER: string | undefined;

const COLLECTOR = 'collector.lan:8080';

export const main: App = function (hal) {
  const log = function (line: string): void { hal.log('http-client: ' + line); };
  const setting = typeof HTTP_CLIENT_SERVER === 'string' ? HTTP_CLIENT_SERVER : COLLECTOR;
  const colon = setting.indexOf(':');
  const host = setting.substring(0, colon);
  const port = parseInt(setting.substring(colon + 1), 10);
  let sent = false;
  const eth = connect(hal, {
    dns: DnsResolver,
    onReady: function () {
      if (sent) return;
      sent = true;
      const body = '{"temperature":' + E.getTemperature().toFixed(1) + '}';
      let answer = '';
      const req = require('http').request({
        host: host, port: port, path: '/report', method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Content-Length': body.length },
      }, function (res: Res) {
        res.on('data', function (d?: string) { answer += d; });
        res.on('close', function () {
          log(res.statusCode === '200' ? 'delivered: ' + answer : 'not delivered: HTTP ' + res.statusCode);
        });
      });
      req.on('error', function (e) { log('not delivered: error ' + e.code + ' (' + e.message + ')'); });
      req.end(body);
      log('posting ' + body + ' to ' + setting);
    },
  });
  eth.setIP({ ip: '192.168.1.20', subnet: '255.255.255.0', gateway: '192.168.1.1', dns: '192.168.1.1' });
  return eth.stop;
};
