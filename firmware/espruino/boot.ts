/// <reference types="espruino" />
import type { BoardConfig } from '../../boards/board';
import { EspruinoSpiDevice } from '../../hal/espruino/spi';
import { EspruinoInputPin, EspruinoOutputPin } from '../../hal/espruino/pins';
import { EspruinoClock } from '../../hal/espruino/clock';
import type { BoardHal, App } from '../app/app';
import type { NicConfig } from '../nic';

function nicConfig(board: BoardConfig): NicConfig {
  if (board.nic === 'w5500') return { name: 'w5500', hardResetStaleSockets: !!board.hardResetStaleSockets };
  if (board.nic === 'w5500-macraw') return { name: 'w5500-macraw', multicast: !!board.multicast };
  return { name: board.nic, txQueueBytes: board.txQueueBytes, tcpBufBytes: board.tcpBufBytes, maxFrameBytes: board.maxFrameBytes };
}

/**
 * Starts an application on a board. Runs now, when the code is executed (after an upload, or from
 * .bootcde at every power-up), and again through E.on('init') after a save() of RAM state;
 * E.on('kill') stops it ahead of save(), so the saved state holds no live timers or watches.
 * Starting is idempotent, so a boot that both executes the code and emits 'init' starts it once.
 */
export function boot(board: BoardConfig, app: App): void {
  let stop: (() => void) | undefined;
  const go = function () {
    if (stop) return;
    board.spi.setup({ sck: board.sck, miso: board.miso, mosi: board.mosi, baud: board.baud, mode: 0, order: 'msb' });
    const hal: BoardHal = {
      board: board.name,
      nic: nicConfig(board),
      spi: new EspruinoSpiDevice(board.spi, board.cs),
      int: board.int ? new EspruinoInputPin(board.int) : undefined,
      rst: board.rst ? new EspruinoOutputPin(board.rst, true) : undefined,
      clock: new EspruinoClock(),
      log: function (line: string) { console.log(line); },
      killBoundMs: board.killBoundMs,
    };
    stop = app(hal);
  };
  E.on('kill', function () {
    if (stop) stop();
    stop = undefined;
  });
  E.on('init', go);
  go();
}
