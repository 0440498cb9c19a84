/**
 * `npm start`: a virtual device that stays up until Ctrl-C. The default firmware (dist/<board>.js: the echo
 * service on port 7 and a status page on port 80) runs on the virtual board with its NIC's model behind its SPI, INT
 * and RST pins. The W5500 model's network side is the Linux kernel on loopback, so `nc` and `curl` from another
 * terminal reach the device at the printed address; with --nic enc28j60 or w5500-macraw the model is on a TAP wire
 * into a namespace made for the run (as root), where `ip netns exec` runs them. The terminal shows a live timeline
 * (the device's FD_* events, the chip's commands or the real frames, SYN/FIN/RST and which side sent them); Ctrl-C
 * closes every connection gracefully (the PCs see FIN), prints a summary, exits 0.
 * With --six-step the device runs the built-in six-step client (examples/six-step.ts) instead, against a PC peer
 * this tool serves on loopback, and the terminal shows the seed's six-step table as it happens.
 * Builds only the bundle it runs, and only when its sources changed.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { knownBoards, readBudget, readWiring } from '../sim/board/wiring';
import { ensureBundle, describeBuild } from './bundle-cache';
import { optionsOrExit, type Command } from './cli';
import { TAP_PC_ADDRESS, VirtualDevice } from './start-device';
import { Timeline, WireLog, type TraceRecord, type WireView } from './start-timeline';
import { FrameLog } from './start-frames';
import { WirePcap } from './start-pcap';
import { PcapWriter } from '../sim/net/pcap';
import { startSixStepServer } from './six-step-server';
import { startSixStepPeerProcess } from './six-step-peer-process';
import { SixStepTable } from './start-six-step';

export const START: Command = {
  usage: 'npm start --',
  about: 'Runs the default firmware on a virtual board with its NIC\'s model until Ctrl-C, serving on the addresses it prints.',
  options: [
    { name: 'board', value: 'NAME', help: 'the board file to run (default espruino-pico)', choices: knownBoards() },
    { name: 'nic', value: 'NIC', help: 'the board\'s wiring with this NIC instead (boards/<board>-<nic>.ts); the MAC-only ones run on a TAP wire into a namespace, as root', choices: ['w5500', 'enc28j60', 'w5500-macraw'] },
    { name: 'echo-port', value: 'N', type: 'int', help: 'host port of the echo service (device port 7); default: the OS picks one' },
    { name: 'http-port', value: 'N', type: 'int', help: 'host port of the status page (device port 80); default: the OS picks one' },
    { name: 'pcap', value: 'FILE', help: 'write what went on the wire to FILE (pcap: the real frames on the TAP paths; the W5500\'s segments, synthesised from its model)' },
    { name: 'six-step', help: 'run the built-in six-step client (examples/six-step.ts) against a PC peer served here, and show the seed\'s six-step table as it happens' },
    { name: 'quiet', help: 'no timeline: only the addresses, the errors, the six-step table and the summary' },
  ],
};

const ECHO_PORT = 7;
const STATUS_PORT = 80;
/** the PC as the device sees it (192.168.1.10) is this address on loopback (W5500) */
const PC_HOST = '127.0.0.10';
const PC_DEVICE_VIEW = TAP_PC_ADDRESS;
const DEVICE_IP = '192.168.1.20';
/** how long the six-step client may take before the run says it did not finish */
const SIX_STEP_MS = 20000;

/** the board file for a board and a NIC: the board's own when it carries that NIC, else boards/<board>-<nic>.ts */
export function boardFile(board: string, nic: string | undefined): { ok: true; name: string } | { ok: false; error: string } {
  if (nic === undefined || readWiring(board).nic === nic) return { ok: true, name: board };
  const name = `${board}-${nic}`;
  if (knownBoards().includes(name)) return { ok: true, name };
  return { ok: false, error: `no board file wires ${board} with a${/^[aeiou]/.test(nic) ? 'n' : ''} ${nic} (boards/${name}.ts); the boards: ${knownBoards().join(', ')}` };
}

async function main(): Promise<number> {
  const t0 = performance.now();
  const o = optionsOrExit(START, process.argv.slice(2), 'start');
  const picked = boardFile((o.board as string | undefined) ?? 'espruino-pico', o.nic as string | undefined);
  if (!picked.ok) {
    console.error('start: ' + picked.error);
    return 2;
  }
  const boardName = picked.name;
  const wiring = readWiring(boardName);
  /** the MAC-only paths: the real frames on a TAP wire */
  const tapPath = wiring.nic !== 'w5500';
  const quiet = !!o.quiet;
  const sixStep = !!o['six-step'];
  const bundle = sixStep ? `dist/six-step-${boardName}.js` : `dist/${boardName}.js`;
  let build;
  try {
    build = await ensureBundle(bundle);
  } catch (e) {
    console.error(`start: building ${bundle} failed: ${(e as Error).message}`);
    console.error('start: fix the error above (npm run build shows it in full), then run npm start again');
    return 1;
  }
  console.log(describeBuild(build));

  const origin = performance.now();
  const timeline = new Timeline((line) => { if (!quiet) console.log(line); }, origin);
  const traceLog = new WireLog();
  const frameLog = new FrameLog(DEVICE_IP);
  const wire: WireView = tapPath ? frameLog : traceLog;
  let pcap: WirePcap | undefined;
  if (o.pcap !== undefined && !tapPath) {
    try {
      pcap = new WirePcap(new PcapWriter(o.pcap as string, Date.now()));
    } catch (e) {
      console.error(`start: cannot write ${o.pcap}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}; name a file in a directory you can write`);
      return 1;
    }
  }
  // the table's rows go into the timeline, between the lines they sum up; without a timeline, straight out
  const table = sixStep ? new SixStepTable((line, ms) => { if (quiet) console.log(line); else timeline.add(ms, line); }) : undefined;
  const peerLine = (line: string) => {
    const ms = performance.now() - origin;
    timeline.add(ms, 'PC      ' + line);
    table!.line(line, ms);
  };
  const hostPorts: Record<string, number> = {
    [ECHO_PORT]: (o['echo-port'] as number | undefined) ?? 0,
    [STATUS_PORT]: (o['http-port'] as number | undefined) ?? 0,
  };
  let dev: VirtualDevice;
  try {
    dev = await VirtualDevice.start({
      boardName, bundle, hostPorts, origin, trace: pcap ? ['cmd', 'net', 'link', 'reset', 'payload'] : ['cmd', 'net', 'link', 'reset'],
      pcapPath: tapPath ? o.pcap as string | undefined : undefined,
      onConsole: (line, ms) => {
        timeline.add(ms, 'device  ' + line);
        if (table) table.line(line, ms);
      },
      onTrace: (rec: TraceRecord, ms) => {
        for (const l of traceLog.record(rec)) timeline.add(ms, l);
        if (pcap) pcap.record(rec, ms);
      },
      onFrame: (frame, ms) => { for (const l of frameLog.record(frame)) timeline.add(ms, l); },
      onChipError: (m) => console.error('start: chip model: ' + m),
    });
  } catch (e) {
    console.error(`start: ${(e as Error).message}`);
    return 1;
  }
  const ns = dev.namespace();
  console.log(`virtual ${dev.board.profile.title} (${boardName}): ${chipName(wiring.nic)} model on ${wiring.spi}, CS ${wiring.cs}` +
    (wiring.int ? `, INT ${wiring.int}` : '') + (wiring.rst ? `, RST ${wiring.rst}` : '') +
    (ns ? `; its network is a TAP wire into namespace ${ns}, where the kernel is the PC (${TAP_PC_ADDRESS})` : '; its network is this machine\'s loopback'));
  if (table) {
    let port: number;
    try {
      port = ns ? (await startSixStepPeerProcess({ host: TAP_PC_ADDRESS, ns, onLine: peerLine })).port : (await startSixStepServer({ host: PC_HOST, port: 0, responseBytes: 200, sessions: 1, log: peerLine })).port;
    } catch (e) {
      console.error(`start: the six-step PC peer cannot listen: ${(e as Error).message}`);
      await dev.stop();
      return 1;
    }
    console.log(`six-step: the device (${DEVICE_IP}) connects to the PC peer ${PC_DEVICE_VIEW}:${port}` + (ns ? ` (in namespace ${ns})` : ` (${PC_HOST}:${port} here)`));
    dev.run(`var SIX_STEP_PEER = "${PC_DEVICE_VIEW}:${port}";`, 'settings.js');
  }
  const err = dev.load();
  if (err) {
    console.error(`start: ${bundle} failed to start: ${err}`);
    await dev.stop();
    return 1;
  }
  const say = (line: string) => { if (quiet) console.log(line); else timeline.add(dev.now(), 'tool    ' + line); };
  const stopped = table ? await sixStepRun(dev, table, t0, say) : await serve(dev, t0, !readBudget(boardName).firmwareApp);
  if (stopped === undefined) {
    await dev.stop();
    return 1;
  }
  timeline.add(dev.now(), `tool    ${stopped}: the device closes every connection`);
  dev.kill();
  // what the firmware handed the chip goes out now: wait for every connection's FIN (or its end) on the wire
  const closeBy = performance.now() + 2000;
  while (performance.now() < closeBy && wire.open().some((c) => !c.fins.includes('device'))) {
    await new Promise((r) => setTimeout(r, 20));
    dev.pollTrace();
  }
  // and a moment for the PCs' own FINs
  const finBy = performance.now() + 300;
  while (performance.now() < finBy && wire.open().some((c) => !c.fins.includes('PC'))) {
    await new Promise((r) => setTimeout(r, 20));
    dev.pollTrace();
  }
  const left = wire.open();
  await dev.stop();
  timeline.close();
  if (pcap) pcap.close();
  if (o.pcap !== undefined) {
    const n = pcap ? pcap.frames : frameLog.frames;
    console.log(`wrote ${n} frames to ${o.pcap} (tcpdump -r ${o.pcap}, or open it in Wireshark)`);
  }
  const t = wire.totals();
  console.log('summary:');
  console.log(`  up ${(dev.now() / 1000).toFixed(1)} s; ${t.connections} connection(s); ${t.bytesIn} bytes in, ${t.bytesOut} bytes out; ${t.fins} FIN(s), ${t.rsts} RST(s) on the wire`);
  for (const c of wire.connections) {
    const how = c.end ?? (c.fins.includes('device') ? `FIN from the device at stop${c.fins.includes('PC') ? ', then from the PC' : ''}` : 'still open at stop');
    console.log(`  ${c.tag} ${c.openedBy === 'PC' ? `PC ${c.peer} → device ${c.device}` : `device ${c.device} → PC ${c.peer}`}: ${c.bytesIn} in, ${c.bytesOut} out; ${how}`);
  }
  const unclosed = left.filter((c) => !c.fins.includes('device'));
  if (unclosed.length > 0) {
    console.log(`  ${unclosed.length} connection(s) did not get the device's FIN in 2 s`);
    return 1;
  }
  if (table && !table.ok) {
    console.log(table.finished ? '  the six-step run was not the seed\'s sequence (the table says how)' : '  the six-step run did not finish');
    return 1;
  }
  return 0;
}

function chipName(nic: string): string {
  return nic === 'enc28j60' ? 'ENC28J60' : nic === 'w5500-macraw' ? 'W5500 (MACRAW)' : 'W5500';
}

function untilStopped(): Promise<string> {
  return new Promise<string>((resolve) => {
    process.once('SIGINT', () => resolve('Ctrl-C'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
}

/**
 * the default firmware: waits for its services (the status page only where the board's default firmware has one: not
 * with a board file's `firmwareApp`) and prints how to reach them, then for Ctrl-C; undefined when they did not come up
 */
async function serve(dev: VirtualDevice, t0: number, statusPage: boolean): Promise<string | undefined> {
  // the firmware opens its services during start-up: on the W5500 the OS ports show it, on a TAP path its console
  const up = (port: number): string | undefined => {
    const ns = dev.namespace();
    if (ns) {
      const said = port === ECHO_PORT ? 'echo service on port ' + ECHO_PORT : 'status page on port ' + STATUS_PORT;
      if (!dev.board.log.console.includes(said)) return undefined;
      return port === ECHO_PORT ? `ip netns exec ${ns} nc ${DEVICE_IP} ${ECHO_PORT}` : `ip netns exec ${ns} curl http://${DEVICE_IP}/`;
    }
    const b = dev.bound().find((x) => x.proto === 'tcp' && x.chipPort === port);
    if (!b) return undefined;
    return port === ECHO_PORT ? `nc ${b.address} ${b.port}` : `curl http://${b.address}:${b.port}/`;
  };
  const deadline = performance.now() + 5000;
  let echo = up(ECHO_PORT);
  while (!echo && performance.now() < deadline && dev.board.errors.length === 0) {
    await new Promise((r) => setTimeout(r, 10));
    echo = up(ECHO_PORT);
  }
  if (!echo) {
    console.error(`start: the firmware did not open its echo service on port ${ECHO_PORT} within 5 s` +
      (dev.board.errors.length ? ` (${dev.board.errors[0].name}: ${dev.board.errors[0].message})` : '') +
      '; its console is above');
    return undefined;
  }
  console.log(`echo service (device ${DEVICE_IP}:${ECHO_PORT}): ${echo}`);
  let status = statusPage ? up(STATUS_PORT) : undefined;
  while (statusPage && !status && performance.now() < deadline && dev.board.errors.length === 0) {
    await new Promise((r) => setTimeout(r, 10));
    status = up(STATUS_PORT);
  }
  if (status) console.log(`status page (device ${DEVICE_IP}:${STATUS_PORT}): ${status}`);
  console.log(`ready in ${((performance.now() - t0) / 1000).toFixed(1)} s; Ctrl-C stops the device`);
  return untilStopped();
}

/** the six-step client: its table prints as it happens, then the device stays up until Ctrl-C */
async function sixStepRun(dev: VirtualDevice, table: SixStepTable, t0: number, say: (line: string) => void): Promise<string> {
  console.log(`ready in ${((performance.now() - t0) / 1000).toFixed(1)} s; Ctrl-C stops the device`);
  let stop: string | undefined;
  const stopped = untilStopped().then((why) => { stop = why; return why; });
  const giveUp = performance.now() + SIX_STEP_MS;
  while (!stop && !table.finished && dev.board.errors.length === 0 && performance.now() < giveUp) {
    await new Promise((r) => setTimeout(r, 20));
  }
  if (dev.board.errors.length) console.error(`start: the six-step client failed: ${dev.board.errors[0].name}: ${dev.board.errors[0].message}`);
  else if (!table.finished && !stop) console.error(`start: the six-step run did not finish within ${SIX_STEP_MS / 1000} s; its timeline is above`);
  else if (table.finished) say('six-step done; Ctrl-C stops the device');
  return stopped;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main().then((code) => process.exit(code), (e) => { console.error(e); process.exit(1); });
}
