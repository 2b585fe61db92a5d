import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IPPROTO_UDP, IPPROTO_VRRP, observe, wireEvent, type WireEvent } from '../../../../bench/failover/wire.js';
import { encodeArpFrame, gratuitousArp } from '../../../../src/arp/frame.js';
import { BROADCAST_MAC, parseMac } from '../../../../src/arp/mac.js';
import { ipToBytes } from '../../../../src/net/address.js';
import { encodeHeartbeat } from '../../../../src/pulse/heartbeat.js';
import { parsePcapRecords } from '../../../netns/capture.js';

const MAC_A = parseMac('02:00:00:00:00:0a') as Uint8Array;
const MAC_B = parseMac('02:00:00:00:00:0b') as Uint8Array;

/** ipv4Frame is an Ethernet frame carrying an IPv4 packet (no options) of a protocol from `from` to `to`. */
function ipv4Frame(protocol: number, from: string, to: string, payload: Uint8Array, ihlWords = 5): Uint8Array {
  const header = ihlWords * 4;
  const frame = new Uint8Array(14 + header + payload.length);
  frame.set(BROADCAST_MAC, 0);
  frame.set(MAC_A, 6);
  frame[12] = 0x08;
  frame[14] = 0x40 | ihlWords;
  frame[14 + 9] = protocol;
  frame.set(ipToBytes(from), 14 + 12);
  frame.set(ipToBytes(to), 14 + 16);
  frame.set(payload, 14 + header);
  return frame;
}

function udp(dstPort: number, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + data.length);
  out[0] = 0x02;
  out[1] = 0x1b;
  out[2] = dstPort >> 8;
  out[3] = dstPort & 0xff;
  out.set(data, 8);
  return out;
}

const running = encodeHeartbeat({ magic: 'lvs-running' });
const stopped = encodeHeartbeat({ magic: 'lvs-stopped' });

describe('wireEvent', () => {
  it('reads pulse heartbeats to the heartbeat port, with their magic, and nothing on other ports', () => {
    assert.deepEqual(wireEvent({ at: 5, frame: ipv4Frame(IPPROTO_UDP, '10.77.0.1', '10.77.0.2', udp(539, running)) }, 539), { kind: 'heartbeat', at: 5, from: '10.77.0.1', magic: 'lvs-running' });
    assert.deepEqual(wireEvent({ at: 6, frame: ipv4Frame(IPPROTO_UDP, '10.77.0.2', '10.77.0.1', udp(539, stopped), 6) }, 539), { kind: 'heartbeat', at: 6, from: '10.77.0.2', magic: 'lvs-stopped' });
    assert.deepEqual(wireEvent({ at: 7, frame: ipv4Frame(IPPROTO_UDP, '10.77.0.2', '10.77.0.1', udp(539, new Uint8Array([1, 2, 3, 4]))) }, 539), { kind: 'heartbeat', at: 7, from: '10.77.0.2', magic: null });
    assert.equal(wireEvent({ at: 8, frame: ipv4Frame(IPPROTO_UDP, '10.77.0.1', '10.77.0.2', udp(540, running)) }, 539), null);
  });

  it('reads VRRP advertisements with their priority', () => {
    const advert = new Uint8Array([0x31, 77, 64, 100, 0, 8, 0, 0]);
    assert.deepEqual(wireEvent({ at: 9, frame: ipv4Frame(IPPROTO_VRRP, '10.77.0.2', '10.77.0.1', advert) }, 539), { kind: 'vrrp', at: 9, from: '10.77.0.2', priority: 64 });
  });

  it('reads gratuitous ARP in both forms, by the Ethernet source, and drops ordinary ARP and short or foreign frames', () => {
    assert.deepEqual(wireEvent({ at: 1, frame: gratuitousArp('reply', '10.77.1.100', MAC_B) }, 539), { kind: 'garp', at: 1, mac: '02:00:00:00:00:0b', ip: '10.77.1.100' });
    assert.deepEqual(wireEvent({ at: 2, frame: gratuitousArp('request', '10.77.1.101', MAC_A) }, 539), { kind: 'garp', at: 2, mac: '02:00:00:00:00:0a', ip: '10.77.1.101' });
    const question = encodeArpFrame({
      ethernet: { destination: BROADCAST_MAC, source: MAC_A, type: 0x0806 },
      arp: { op: 1, senderMac: MAC_A, senderIp: ipToBytes('10.77.0.1'), targetMac: new Uint8Array(6), targetIp: ipToBytes('10.77.0.2') },
    });
    assert.equal(wireEvent({ at: 3, frame: question }, 539), null);
    assert.equal(wireEvent({ at: 4, frame: new Uint8Array(10) }, 539), null);
    assert.equal(wireEvent({ at: 4, frame: gratuitousArp('reply', '10.77.1.100', MAC_B).subarray(0, 30) }, 539), null);
    const ipv6 = new Uint8Array(60);
    ipv6[12] = 0x86;
    ipv6[13] = 0xdd;
    assert.equal(wireEvent({ at: 4, frame: ipv6 }, 539), null);
  });
});

describe('observe', () => {
  const hb = (at: number, from: string, magic: 'lvs-running' | 'lvs-stopped'): WireEvent => ({ kind: 'heartbeat', at, from, magic });
  const garp = (at: number, mac: string, ip: string): WireEvent => ({ kind: 'garp', at, mac, ip });
  const survivor = { ip: '10.77.0.2', mac: '02:00:00:00:00:0b' };
  const vips = ['10.77.1.100', '10.77.1.101'];

  it("finds the stopped node's last heartbeat, the survivor's first running one and its announcements after the stop", () => {
    const events: WireEvent[] = [
      hb(100, '10.77.0.1', 'lvs-running'),
      hb(101, '10.77.0.2', 'lvs-stopped'),
      garp(102, '02:00:00:00:00:0b', '10.77.1.100'), // before the stop: not counted
      hb(130, '10.77.0.1', 'lvs-running'),
      hb(131, '10.77.0.2', 'lvs-stopped'),
      hb(290, '10.77.0.2', 'lvs-running'),
      garp(295, '02:00:00:00:00:0a', '10.77.1.100'), // the stopped node's, not the survivor's
      garp(296, '02:00:00:00:00:0b', '10.77.1.101'),
      garp(297, '02:00:00:00:00:0b', '10.77.1.100'),
      garp(298, '02:00:00:00:00:0b', '10.77.1.100'),
      garp(299, '02:00:00:00:00:0b', '10.77.1.200'), // not a VIP of the pair
      { kind: 'vrrp', at: 300, from: '10.77.0.1', priority: 64 },
    ];
    assert.deepEqual(observe(events, { protocol: 'pulse', since: 140, stopped: '10.77.0.1', survivor, vips }), {
      lastHeartbeat: 130,
      firstRunning: 290,
      firstGarp: 296,
      allFirstGarps: 297,
      missing: [],
    });
  });

  it('counts VRRP advertisements, not heartbeats, for keepalived, and names the VIPs never announced', () => {
    const events: WireEvent[] = [
      { kind: 'vrrp', at: 100, from: '10.77.0.1', priority: 64 },
      hb(120, '10.77.0.1', 'lvs-running'),
      { kind: 'vrrp', at: 420, from: '10.77.0.2', priority: 64 },
      garp(410, '02:00:00:00:00:0b', '10.77.1.101'),
    ];
    assert.deepEqual(observe(events, { protocol: 'vrrp', since: 150, stopped: '10.77.0.1', survivor, vips }), {
      lastHeartbeat: 100,
      firstRunning: 420,
      firstGarp: 410,
      allFirstGarps: null,
      missing: ['10.77.1.100'],
    });
  });
});

describe('parsePcapRecords', () => {
  /** pcap builds a capture file of one frame in a byte order and precision. */
  function pcap(little: boolean, nano: boolean, sec: number, frac: number, frame: Uint8Array): Uint8Array {
    const out = new Uint8Array(24 + 16 + frame.length);
    const v = new DataView(out.buffer);
    v.setUint32(0, nano ? 0xa1b23c4d : 0xa1b2c3d4, little);
    v.setUint32(24, sec, little);
    v.setUint32(28, frac, little);
    v.setUint32(32, frame.length, little);
    v.setUint32(36, frame.length, little);
    out.set(frame, 40);
    return out;
  }

  it('reads time stamps in milliseconds since the epoch from micro- and nanosecond files of either byte order', () => {
    const frame = new Uint8Array([1, 2, 3]);
    // Milliseconds since the epoch keep about a quarter of a microsecond in a double.
    const at = (bytes: Uint8Array): number => {
      const records = parsePcapRecords(bytes);
      assert.equal(records.length, 1);
      assert.deepEqual(records[0]?.frame, frame);
      return records[0]?.at ?? NaN;
    };
    assert.ok(Math.abs(at(pcap(true, true, 1_795_000_000, 123_456_789, frame)) - (1_795_000_000_123 + 0.456_789)) < 0.000_5);
    assert.ok(Math.abs(at(pcap(false, true, 1_795_000_000, 5_000, frame)) - (1_795_000_000_000 + 0.005)) < 0.000_5);
    assert.ok(Math.abs(at(pcap(true, false, 1_795_000_000, 123_456, frame)) - (1_795_000_000_123 + 0.456)) < 0.000_5);
    assert.equal(at(pcap(false, false, 10, 1_000, frame)), 10_001);
    assert.throws(() => parsePcapRecords(new Uint8Array(24).fill(7)), /not a pcap file/);
  });

  it('stops at a truncated last record', () => {
    const whole = pcap(true, true, 1, 0, new Uint8Array([9, 9]));
    assert.equal(parsePcapRecords(whole.subarray(0, whole.length - 1)).length, 0);
  });
});
