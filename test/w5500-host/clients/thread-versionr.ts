// Run with plain tsx: starts the W5500 worker, reads VERSIONR, closes, and lets the process end by itself.
import { W5500Thread } from '../../../sim/w5500/worker-client';

const t = await W5500Thread.start();
const miso = t.exchange(new Uint8Array([0x00, 0x39, 0x00, 0x00]));
console.log(Buffer.from(miso).toString('hex'));
await t.close();
