/**
 * Runs inside a namespace: SO_BINDTODEVICE on a bound UDP socket through the addon.
 * Usage: bind-device.js DEVICE. Prints JSON with what was read back and the errors seen.
 */
import { createSocket } from 'node:dgram';
import { bindToDevice, boundDevice, SystemCallError } from '../../../src/native/packet.js';

const device = process.argv[2] ?? '';
const socket = createSocket('udp4');
await new Promise<void>((resolve) => socket.bind(0, '0.0.0.0', resolve));
const errorOf = (fn: () => void): { code: string; syscall: string } | null => {
  try {
    fn();
    return null;
  } catch (e) {
    if (e instanceof SystemCallError) return { code: e.code, syscall: e.syscall };
    throw e;
  }
};
const before = boundDevice(socket);
bindToDevice(socket, device);
const after = boundDevice(socket);
const unknown = errorOf(() => bindToDevice(socket, 'nosuchdev0'));
bindToDevice(socket, '');
const cleared = boundDevice(socket);
socket.close();
process.stdout.write(`${JSON.stringify({ before, after, unknown, cleared })}\n`);
