/**
 * espruino-tools (the `espruino` package, the uploader `npm run flash` runs) as a library: its pretokeniser and
 * the string quoting its Storage upload uses, so what `npm run hil` uploads is what the espruino CLI would.
 */
import { createRequire } from 'node:module';

export interface EspruinoTools {
  /** code as SAVE_ON_SEND with PRETOKENISE writes it into Storage */
  tokenise(code: string): string;
  /** the keyword or operator a token byte stands for (bytes 138 …) */
  untokenise(code: string): string;
  /** whether every byte of `code` is a plain character or a token espruino-tools knows */
  isTokenised(code: string): boolean;
  /** a JS string literal for latin1 text, as espruino-tools quotes upload chunks */
  toJSONishString(text: string): string;
}

let loaded: Promise<EspruinoTools> | undefined;

export function espruinoTools(): Promise<EspruinoTools> {
  if (!loaded) {
    loaded = new Promise((resolve) => {
      const log = console.log;
      console.log = () => {}; // espruino-tools announces every plugin it initialises
      createRequire(import.meta.url)('espruino').init(() => {
        console.log = log;
        const E = (globalThis as unknown as { Espruino: { Plugins: { Pretokenise: EspruinoTools }; Core: { Utils: EspruinoTools } } }).Espruino;
        resolve({
          tokenise: (c) => E.Plugins.Pretokenise.tokenise(c),
          untokenise: (c) => E.Plugins.Pretokenise.untokenise(c),
          isTokenised: (c) => E.Plugins.Pretokenise.isTokenised(c),
          toJSONishString: (t) => E.Core.Utils.toJSONishString(t),
        });
      });
    });
  }
  return loaded;
}
