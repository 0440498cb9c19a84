/**
 * Espruino's `require("WIZnet").connect(spi, cs)` (espruino.md §7) for our runtime, on every NIC
 * the board file names: brings the chip up (closing what a warm reset left open on it), installs
 * the NetworkJS adapter so Espruino's own `net`, `http` and `dgram` work, and returns an object
 * with the Ethernet methods Espruino code already calls. Nothing here busy-waits: DHCP runs in the
 * background and `setIP(callback)` reports when the lease is bound.
 *
 *   const eth = connect(hal, { onReady: function (ip) { require("http").createServer(…).listen(80); } });
 *   eth.setIP({ ip: "192.168.1.20", subnet: "255.255.255.0", gateway: "192.168.1.1", dns: "192.168.1.1" });
 *   eth.setIP(function (err) { … });   // DHCP
 *   return eth.stop;                  // the application's stop: E.on('kill') closes every connection
 *
 * Link loss and return reach `onLink`; on return DHCP confirms or renews the lease (INIT-REBOOT).
 * At kill every socket closes gracefully within `killBoundMs` in total, DHCP releases its lease,
 * and then the chip is left idle (nothing open, no timers).
 */
import type { BoardHal } from '../app/app';
import { startNetwork } from '../runtime';
import type { NetStack } from '../runtime';
import type { DnsResolver } from '../services/dns';
import type { DhcpClient } from '../services/dhcp';
import { DhcpEvent } from '../services/dhcp';
import type { DhcpLease } from '../services/dhcp-lease';
import { formatIPv4, parseIPv4 } from '../socket/address';
import type { SocketLayer } from '../socket/layer';
import { networkJs } from './networkjs';
import type { NetworkJsDriver } from './networkjs';
import { loopTimers } from '../socket/timers';

declare function require(name: string): { create(obj: object): object };

export type ErrCallback = (err: string | null) => void;

export interface EthernetOptions {
  /**
   * the DHCP client and the DNS resolver, given by the application that uses them (an application
   * with a static address and IP literals leaves them out of its bundle):
   * `import { DhcpClient } from '../firmware/services/dhcp'` … `connect(hal, { dhcp: DhcpClient })`
   */
  dhcp?: typeof DhcpClient;
  dns?: typeof DnsResolver;
  /** 6 bytes; default 02:00:00:12:34:56 */
  mac?: Uint8Array;
  /** DHCP option 12 */
  hostname?: string;
  /** how long the kill may take for every connection together, ms; default: the board file's, else 2000 */
  killBoundMs?: number;
  /** Espruino's close: undefined = graceful in the background (SO_DONTLINGER), 0 = abortive */
  linger?: number;
  /** bound of one background close while running, ms; default 4000 */
  closeTimeoutMs?: number;
  /** an address is set (static or from DHCP): the network is ready */
  onReady?: (ip: string) => void;
  /** the link went down (false) or came back (true) */
  onLink?: (up: boolean) => void;
  /** where the NetworkJS object goes; default `require("NetworkJS").create(obj)` */
  install?: (driver: NetworkJsDriver) => void;
}

export interface IpInfo { ip: string; subnet: string; gateway: string; dns: string; mac: string }

export interface Ethernet {
  /** static settings, or DHCP when given no object; `callback(err)`: null, or what failed */
  setIP(options?: { ip?: string; subnet?: string; gateway?: string; dns?: string } | ErrCallback, callback?: ErrCallback): boolean;
  getIP(callback?: (err: null, info: IpInfo) => void): IpInfo;
  setHostname(name: string, callback?: ErrCallback): boolean;
  getHostname(callback?: (err: null, name: string) => void): string;
  getStatus(callback?: (err: null, status: { state: string; phylink: string; nic: string }) => void): { state: string; phylink: string; nic: string };
  /** the Winsock API underneath (null when the NIC did not come up) */
  api: SocketLayer | null;
  dns: DnsResolver | null;
  /** stops everything: connections closed gracefully within killBoundMs, lease released, chip idle */
  stop(): void;
}

function hex2(b: number): string {
  return (b < 16 ? '0' : '') + b.toString(16);
}

export function connect(hal: BoardHal, options?: EthernetOptions): Ethernet {
  const o = options || {};
  const mac = o.mac || new Uint8Array([2, 0, 0, 0x12, 0x34, 0x56]);
  let hostname = o.hostname || '';
  let mask = 0;
  let gw = 0;
  let dnsIp = 0;
  let dhcp: DhcpClient | null = null;
  let stopped = false;
  // a callback runs after the call returns, as Espruino's jsiQueueEvents runs it: from the next turn
  // of the event loop (its one timer) while the stack runs
  const later = function (fn: Function | undefined, a: unknown, b?: unknown): void {
    if (typeof fn !== 'function') return;
    const run = function () { fn(a, b); };
    if (api && !stopped) loopTimers(api).set(0, run);
    else hal.clock.setTimeout(run, 0);
  };
  const bound = o.killBoundMs !== undefined ? o.killBoundMs : hal.killBoundMs !== undefined ? hal.killBoundMs : 2000;

  const ready = function (ip: number): void {
    if (o.onReady) o.onReady(formatIPv4(ip));
  };
  const net: NetStack = startNetwork(hal, {
    mac: mac, ip: '0.0.0.0', subnet: '0.0.0.0', gateway: '0.0.0.0', closeTimeoutMs: o.closeTimeoutMs,
    onLink: function (up: boolean) {
      hal.log('link ' + (up ? 'up' : 'down'));
      if (up && dhcp) dhcp.restart();
      if (o.onLink) o.onLink(up);
    },
  });
  const api = net.api;
  const transport = net.transport;
  const dns = api && o.dns ? new o.dns(api, hal.clock, {}) : null;
  let driver: NetworkJsDriver | null = null;
  if (api && transport) {
    driver = networkJs(api, dns, { linger: o.linger });
    if (o.install) o.install(driver);
    else require('NetworkJS').create(driver);
  } else hal.log('no network: ' + net.reason);

  const stopDhcp = function (): void {
    if (dhcp) dhcp.stop();
    dhcp = null;
  };

  const eth: Ethernet = {
    setIP: function (opts, callback) {
      const cb = typeof opts === 'function' ? opts : callback;
      if (!api || !transport) {
        later(cb, 'no network: ' + net.reason);
        return false;
      }
      if (opts && typeof opts === 'object') {
        const ip = opts.ip !== undefined ? parseIPv4(opts.ip) : transport.localIp();
        const m = opts.subnet !== undefined ? parseIPv4(opts.subnet) : mask;
        const g = opts.gateway !== undefined ? parseIPv4(opts.gateway) : gw;
        const d = opts.dns !== undefined ? parseIPv4(opts.dns) : dnsIp;
        if (ip < 0 || m < 0 || g < 0 || d < 0 || transport.setAddress(ip, m, g) < 0) {
          later(cb, 'bad address');
          return false;
        }
        stopDhcp();
        mask = m;
        gw = g;
        dnsIp = d;
        if (dns) dns.setServers(d ? [d] : []);
        later(cb, null);
        ready(ip);
        return true;
      }
      stopDhcp();
      if (!o.dhcp) {
        later(cb, 'DHCP is not in this build');
        return false;
      }
      let told = false;
      const client = new o.dhcp(api, transport, hal.clock, {
        mac: mac, hostname: hostname, log: hal.log,
        onEvent: function (ev: number, lease: DhcpLease) {
          if (ev === DhcpEvent.BOUND || ev === DhcpEvent.RENEWED) {
            mask = lease.mask;
            gw = lease.gateway;
            dnsIp = lease.dns[0];
            if (dns) dns.setServers(lease.dns);
          }
          if (ev === DhcpEvent.BOUND) {
            if (!told) later(cb, null);
            told = true;
            ready(lease.ip);
          } else if (ev === DhcpEvent.TIMEOUT && !told) {
            told = true;
            later(cb, 'DHCP failed');
          }
        },
      });
      const r = client.start();
      if (r !== 0) {
        later(cb, 'DHCP failed: ' + r);
        return false;
      }
      dhcp = client;
      return true;
    },

    getIP: function (callback) {
      let m = '';
      for (let i = 0; i < 6; i++) m += (i ? ':' : '') + hex2(mac[i]);
      const info: IpInfo = {
        ip: formatIPv4(transport ? transport.localIp() : 0), subnet: formatIPv4(mask), gateway: formatIPv4(gw),
        dns: formatIPv4(gw ? dnsIp : 0), mac: m,
      };
      later(callback, null, info);
      return info;
    },

    setHostname: function (name, callback) {
      const ok = typeof name === 'string' && name.length > 0 && name.length <= 32 && (!dhcp || dhcp.setHostname(name));
      if (ok) hostname = name;
      later(callback, ok ? null : 'bad hostname');
      return ok;
    },

    getHostname: function (callback) {
      later(callback, null, hostname);
      return hostname;
    },

    getStatus: function (callback) {
      const s = {
        state: stopped || !api ? 'offline' : transport && transport.localIp() ? 'online' : 'connecting',
        phylink: api && api.linkUp() ? 'up' : 'down', nic: net.nicName,
      };
      later(callback, null, s);
      return s;
    },

    api: api,
    dns: dns,

    stop: function () {
      if (stopped) return;
      stopped = true;
      if (dhcp) dhcp.release();
      const n = driver ? driver.closeAll() : 0;
      const forced = api ? api.finishCloses(bound) : 0;
      hal.log('stopped: ' + n + ' socket(s) closed, ' + forced + ' forced');
      stopDhcp();
      if (dns) dns.stop();
      net.stop();
    },
  };
  return eth;
}
