/**
 * Runs inside a namespace: one announcement through the real NativeArpSender.
 * Usage: announce.js DEVICE IP MAC MODE. Prints JSON; exit 0 when sent, 1 otherwise.
 */
import { NativeArpSender, type AnnounceMode } from '../../../src/arp/sender.js';
import { NativeError, SystemCallError } from '../../../src/native/packet.js';

const [device = '', ip = '', mac = '', mode = 'reply'] = process.argv.slice(2);
try {
  const sender = NativeArpSender.open();
  try {
    await sender.announce(device, ip, mac, mode as AnnounceMode);
  } finally {
    sender.close();
  }
  process.stdout.write(`${JSON.stringify({ ok: true })}\n`);
} catch (e) {
  const out =
    e instanceof SystemCallError
      ? { ok: false, name: e.name, code: e.code, syscall: e.syscall, errno: e.errno, reason: e.reason, message: e.message }
      : e instanceof NativeError
        ? { ok: false, name: e.name, code: e.code, message: e.message }
        : { ok: false, name: (e as Error).name, message: (e as Error).message };
  process.stdout.write(`${JSON.stringify(out)}\n`);
  process.exitCode = 1;
}
