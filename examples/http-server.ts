import type { App } from '../firmware/app/app';
import { connect } from '../firmware/espruino/wiznet';

/**
 * An HTTP server on Espruino's own `http` module over the NetworkJS adapter: every request gets
 * the MCU's temperature sensor reading (`E.getTemperature()`) as JSON. The board brings its NIC up
 * through the WIZnet-shaped module (firmware/espruino/wiznet.ts) with a static address; Ctrl-C,
 * reset(), load() or save() close every connection gracefully (the module's stop).
 */
interface Req { method: string; url: string }
interface Res { writeHead(code: number, headers: object): void; end(body: string): void }
declare function require(name: 'http'): { createServer(fn: (req: Req, res: Res) => void): { listen(port: number): void } };

const PORT = 80;

export const main: App = function (hal) {
  let listening = false;
  let served = 0;
  const eth = connect(hal, {
    onReady: function (ip: string) {
      if (listening) return;
      listening = true;
      require('http').createServer(function (req: Req, res: Res) {
        served++;
        const body = '{"temperature":' + E.getTemperature().toFixed(1) + ',"served":' + served + '}';
        hal.log('http-server: ' + req.method + ' ' + req.url + ' -> ' + body);
        res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': body.length });
        res.end(body);
      }).listen(PORT);
      hal.log('http-server: listening on ' + ip + ':' + PORT);
    },
  });
  eth.setIP({ ip: '192.168.1.20', subnet: '255.255.255.0', gateway: '192.168.1.1', dns: '192.168.1.1' });
  return eth.stop;
};
