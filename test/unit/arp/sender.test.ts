import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gratuitousArp } from '../../../src/arp/frame.js';
import { parseMac } from '../../../src/arp/mac.js';
import { unsolicitedNeighborAdvertisement } from '../../../src/arp/ndp.js';
import { announcementFrames, NativeArpSender } from '../../../src/arp/sender.js';
import { SystemCallError, type PacketBinding } from '../../../src/native/packet.js';
import { FakeArpSender, failDevice, failTimes } from '../../../src/testing/arp-fake.js';
import type { ArpSender as AnnouncementSink } from '../../../src/arp/sender-interface.js';

const mac = parseMac('02:1a:2b:3c:4d:5e') as Uint8Array;
const hex = (frames: readonly Uint8Array[]): string[] => frames.map((f) => Buffer.from(f).toString('hex'));

describe('announcementFrames', () => {
  it('IPv4: reply, request, or request then reply', () => {
    assert.deepEqual(hex(announcementFrames('10.0.0.5', mac, 'reply')), hex([gratuitousArp('reply', '10.0.0.5', mac)]));
    assert.deepEqual(hex(announcementFrames('10.0.0.5', mac, 'request')), hex([gratuitousArp('request', '10.0.0.5', mac)]));
    assert.deepEqual(hex(announcementFrames('10.0.0.5', '02:1a:2b:3c:4d:5e', 'both')), hex([gratuitousArp('request', '10.0.0.5', mac), gratuitousArp('reply', '10.0.0.5', mac)]));
  });

  it('IPv4: the Ethernet destination can be chosen', () => {
    const dst = Uint8Array.of(2, 0, 0, 0, 0, 9);
    for (const f of announcementFrames('10.0.0.5', mac, 'both', { destination: dst })) assert.equal(Buffer.from(f.subarray(0, 6)).toString('hex'), '020000000009');
  });

  it('IPv6: one unsolicited neighbour advertisement whatever the mode', () => {
    for (const mode of ['reply', 'request', 'both'] as const)
      assert.deepEqual(hex(announcementFrames('2001:DB8:0::10', mac, mode)), hex([unsolicitedNeighborAdvertisement('2001:db8::10', mac)]));
  });

  it('refuses bad addresses, MACs and modes', () => {
    assert.throws(() => announcementFrames('host.example', mac, 'reply'), TypeError);
    assert.throws(() => announcementFrames('10.0.0.5', 'zz', 'reply'), TypeError);
    assert.throws(() => announcementFrames('10.0.0.5', new Uint8Array(5), 'reply'), TypeError);
    assert.throws(() => announcementFrames('10.0.0.5', mac, 'all' as 'both'), TypeError);
  });
});

describe('NativeArpSender (fake binding)', () => {
  it('sends each frame of a round on the device, in order', async () => {
    const sent: string[] = [];
    const binding: PacketBinding = {
      open: () => 3,
      send: (_fd, ifname, frame) => (sent.push(`${ifname} ${Buffer.from(frame.subarray(20, 22)).toString('hex')}`), frame.length),
      close: () => undefined,
      bindToDevice: () => undefined,
      boundDevice: () => '',
    };
    const sender = NativeArpSender.open(binding);
    await sender.announce('eth0', '10.0.0.5', mac, 'both');
    sender.close();
    assert.deepEqual(sent, ['eth0 0001', 'eth0 0002']);
  });

  it('rejects (does not throw) on a bad argument', async () => {
    const sender = NativeArpSender.open({ open: () => 3, send: () => 60, close: () => undefined, bindToDevice: () => undefined, boundDevice: () => '' });
    await assert.rejects(sender.announce('eth0', 'nope', mac, 'reply'), TypeError);
  });
});

describe('FakeArpSender', () => {
  it('records announcements with the frames the real sender would send', async () => {
    const fake = new FakeArpSender();
    await fake.announce('eth0', '10.0.0.5', '02:1A:2B:3C:4D:5E', 'both');
    await fake.announce('eth1', '2001:db8:0::10', mac, 'reply');
    assert.deepEqual(
      fake.announcements.map((a) => [a.device, a.ip, a.mac, a.mode, a.frames.length]),
      [
        ['eth0', '10.0.0.5', '02:1a:2b:3c:4d:5e', 'both', 2],
        ['eth1', '2001:db8::10', '02:1a:2b:3c:4d:5e', 'reply', 1],
      ],
    );
    assert.deepEqual(hex(fake.announcements[0]?.frames ?? []), hex(announcementFrames('10.0.0.5', mac, 'both')));
  });

  it('fails like the real sender: bad arguments, a missing device, a link that is down, a closed sender', async () => {
    const fake = new FakeArpSender(failDevice('eth9'));
    await assert.rejects(fake.announce('eth0', 'bad', mac, 'reply'), TypeError);
    await assert.rejects(fake.announce('eth9', '10.0.0.5', mac, 'reply'), (e: unknown) => e instanceof SystemCallError && e.code === 'ENODEV' && e.syscall === 'if_nametoindex');
    await fake.announce('eth0', '10.0.0.5', mac, 'reply');
    fake.close();
    assert.equal(fake.isClosed, true);
    await assert.rejects(fake.announce('eth0', '10.0.0.5', mac, 'reply'), (e: unknown) => e instanceof SystemCallError && e.code === 'EBADF');
    assert.equal(fake.announcements.length, 2);

    const flaky = new FakeArpSender(failTimes(2));
    await assert.rejects(flaky.announce('eth0', '10.0.0.5', mac, 'reply'), (e: unknown) => e instanceof SystemCallError && e.code === 'ENETDOWN' && e.reason === 'network is down');
    await assert.rejects(flaky.announce('eth0', '10.0.0.5', mac, 'reply'));
    await flaky.announce('eth0', '10.0.0.5', mac, 'reply');
  });
});

describe('ArpSender and the announce service contract (sender-interface.ts)', () => {
  it('the mode defaults to the reply form, so three-argument callers get piranha frames', async () => {
    const fake = new FakeArpSender();
    const sink: AnnouncementSink = fake;
    await sink.announce('eth0', '10.0.0.5', '02:1A:2B:3C:4D:5E');
    assert.equal(fake.announcements[0]?.mode, 'reply');
    assert.deepEqual(hex(fake.announcements[0]?.frames ?? []), hex([gratuitousArp('reply', '10.0.0.5', mac)]));
  });
});
