import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { describe, it } from 'node:test';
import { bindToDevice, dgramFd, loadPacketBinding, PacketSocket, SystemCallError, type PacketBinding } from '../../../src/native/packet.js';

/** addonError is an error shaped like the ones native/packet.cc throws. */
function addonError(syscall: string, errno: number, code: string, text: string): Error {
  return Object.assign(new Error(text), { errno, code, syscall });
}

function fakeBinding(overrides: Partial<PacketBinding> = {}): PacketBinding & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    open: () => (calls.push('open'), 7),
    send: (fd, ifname, frame) => (calls.push(`send ${fd} ${ifname} ${frame.length}`), frame.length),
    close: (fd) => void calls.push(`close ${fd}`),
    bindToDevice: (fd, ifname) => void calls.push(`bind ${fd} ${ifname}`),
    boundDevice: () => '',
    ...overrides,
  };
}

describe('PacketSocket (fake binding)', () => {
  it('sends on the named device and closes once', () => {
    const b = fakeBinding();
    const s = PacketSocket.open(b);
    assert.equal(s.send('eth0', new Uint8Array(60)), 60);
    s.close();
    s.close();
    assert.deepEqual(b.calls, ['open', 'send 7 eth0 60', 'close 7']);
  });

  it('turns addon errors into SystemCallError with code, syscall, errno and the strerror text', () => {
    const b = fakeBinding({
      send: () => {
        throw addonError('if_nametoindex', 19, 'ENODEV', 'No such device');
      },
    });
    const s = PacketSocket.open(b);
    assert.throws(
      () => s.send('eth9', new Uint8Array(60)),
      (e: unknown) => e instanceof SystemCallError && e.code === 'ENODEV' && e.syscall === 'if_nametoindex' && e.errno === 19 && e.reason === 'No such device' && e.op === 'send on eth9' && e.cause instanceof Error,
    );
  });

  it("reports a refused socket() as syscall 'socket'", () => {
    const b = fakeBinding({
      open: () => {
        throw addonError('socket', 1, 'EPERM', 'Operation not permitted');
      },
    });
    assert.throws(() => PacketSocket.open(b), (e: unknown) => e instanceof SystemCallError && e.syscall === 'socket' && e.code === 'EPERM' && e.message === 'open packet socket: socket: Operation not permitted');
  });

  it('fails a send after close with EBADF without calling the addon', () => {
    const b = fakeBinding();
    const s = PacketSocket.open(b);
    s.close();
    assert.throws(() => s.send('eth0', new Uint8Array(60)), (e: unknown) => e instanceof SystemCallError && e.code === 'EBADF');
    assert.deepEqual(b.calls, ['open', 'close 7']);
  });

  it('passes TypeErrors through unchanged', () => {
    const b = fakeBinding({
      send: () => {
        throw new TypeError('frame must be a Uint8Array');
      },
    });
    assert.throws(() => PacketSocket.open(b).send('eth0', new Uint8Array(1)), TypeError);
  });
});

describe('dgramFd and bindToDevice (fake binding)', () => {
  it('finds the descriptor of a bound dgram socket without a deprecation warning', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error): void => void warnings.push(w.name);
    process.on('warning', onWarning);
    const socket = createSocket('udp4');
    try {
      assert.throws(() => dgramFd(socket), TypeError);
      await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
      const fd = dgramFd(socket);
      assert.ok(fd > 2);
      const b = fakeBinding();
      bindToDevice(socket, 'eth1', b);
      assert.deepEqual(b.calls, [`bind ${fd} eth1`]);
    } finally {
      socket.close();
      await new Promise((resolve) => setImmediate(resolve));
      process.off('warning', onWarning);
    }
    assert.deepEqual(warnings, []);
  });
});

describe('the built addon', () => {
  it('loads and exports its five functions and the Prober class (run npm run build first)', () => {
    const b = loadPacketBinding();
    assert.deepEqual(Object.keys(b).sort(), ['Prober', 'bindToDevice', 'boundDevice', 'close', 'open', 'send']);
  });

  it('throws TypeError for bad arguments before any system call', () => {
    const b = loadPacketBinding();
    assert.throws(() => b.send(-1, 'lo', new Uint8Array(60)), TypeError);
    assert.throws(() => b.send(0, 'lo', new Uint16Array(30) as unknown as Uint8Array), TypeError);
    assert.throws(() => b.close('x' as unknown as number), TypeError);
  });

  it('names a too-long interface ENODEV, as the kernel would', () => {
    assert.throws(
      () => loadPacketBinding().send(0, 'x'.repeat(16), new Uint8Array(60)),
      (e: unknown) => e instanceof Error && (e as { code?: string }).code === 'ENODEV' && (e as { syscall?: string }).syscall === 'if_nametoindex' && e.message === 'No such device',
    );
  });
});
