/**
 * What the failover benchmark's observer sees on the wire, pure: each captured frame becomes a
 * heartbeat (UDP to the heartbeat port), a VRRP advertisement (IP protocol 112) or a gratuitous
 * ARP (sender address = target address), with the kernel's time stamp; anything else is
 * dropped. The heartbeat's magic is read with pulse's own codec only to tell "running" from
 * "stopped"; the times come from the capture, not from the code under test.
 */
import { decodeArpFrame, decodeEthernetHeader } from '../../src/arp/frame.js';
import { ETH_HLEN, ETH_P } from '../../src/arp/constants.js';
import { formatMac } from '../../src/arp/mac.js';
import { bytesToIp } from '../../src/net/address.js';
import { decodeHeartbeat, type Magic } from '../../src/pulse/heartbeat.js';
import type { PcapRecord } from '../../test/netns/capture.js';

/** IPPROTO_UDP and IPPROTO_VRRP are the IP protocol numbers the observer tells apart. */
export const IPPROTO_UDP = 17;
export const IPPROTO_VRRP = 112;

/** WireEvent is one frame of interest, `at` in milliseconds since the epoch (the capture's clock). */
export type WireEvent =
  /** heartbeat is a pulse heartbeat; `magic` is null when the payload is not one. */
  | { readonly kind: 'heartbeat'; readonly at: number; readonly from: string; readonly magic: Magic | null }
  | { readonly kind: 'vrrp'; readonly at: number; readonly from: string; readonly priority: number }
  /** garp is a gratuitous ARP (either form) for `ip` from the Ethernet source `mac`. */
  | { readonly kind: 'garp'; readonly at: number; readonly mac: string; readonly ip: string };

/** wireEvent classifies one captured frame, or returns null for a frame of no interest. */
export function wireEvent(record: PcapRecord, heartbeatPort: number): WireEvent | null {
  const frame = record.frame;
  if (frame.length < ETH_HLEN) return null;
  const type = decodeEthernetHeader(frame).type;
  if (type === ETH_P.ARP) {
    let arp;
    try {
      arp = decodeArpFrame(frame);
    } catch {
      return null;
    }
    const sender = bytesToIp(arp.arp.senderIp, 4);
    if (sender !== bytesToIp(arp.arp.targetIp, 4)) return null;
    return { kind: 'garp', at: record.at, mac: formatMac(arp.ethernet.source), ip: sender };
  }
  if (type !== ETH_P.IP || frame.length < ETH_HLEN + 20) return null;
  const ip = frame.subarray(ETH_HLEN);
  const headerLength = ((ip[0] as number) & 0x0f) * 4;
  if ((ip[0] as number) >> 4 !== 4 || headerLength < 20 || ip.length < headerLength) return null;
  const from = bytesToIp(ip.subarray(12, 16), 4);
  const payload = ip.subarray(headerLength);
  if (ip[9] === IPPROTO_VRRP && payload.length >= 8) return { kind: 'vrrp', at: record.at, from, priority: payload[2] as number };
  if (ip[9] !== IPPROTO_UDP || payload.length < 8) return null;
  if (((payload[2] as number) << 8) + (payload[3] as number) !== heartbeatPort) return null;
  const decoded = decodeHeartbeat(payload.subarray(8), null);
  return { kind: 'heartbeat', at: record.at, from, magic: decoded.ok ? decoded.magic : null };
}

/** Observation is what the observer saw of one failover, times as in WireEvent (null: not seen). */
export interface Observation {
  /** lastHeartbeat is the last heartbeat (pulse) or advertisement (VRRP) from the node that stopped. */
  readonly lastHeartbeat: number | null;
  /** firstRunning is the survivor's first "running" heartbeat (pulse) or first advertisement (VRRP) after `since`. */
  readonly firstRunning: number | null;
  /** firstGarp is the survivor's first gratuitous ARP for a VIP after `since`. */
  readonly firstGarp: number | null;
  /** allFirstGarps is when every VIP had had its first gratuitous ARP from the survivor (null when one had none). */
  readonly allFirstGarps: number | null;
  /** missing are the VIPs the survivor did not announce. */
  readonly missing: readonly string[];
}

/** ObserveOptions say who stopped, who took over, and since when. */
export interface ObserveOptions {
  readonly protocol: 'pulse' | 'vrrp';
  /** since is the time of the kill or SIGTERM; the survivor's frames before it do not count. */
  readonly since: number;
  readonly stopped: string;
  readonly survivor: { readonly ip: string; readonly mac: string };
  readonly vips: readonly string[];
}

/** observe reads one failover out of the observer's events. */
export function observe(events: readonly WireEvent[], o: ObserveOptions): Observation {
  let lastHeartbeat: number | null = null;
  let firstRunning: number | null = null;
  const firstGarps = new Map<string, number>();
  const wanted = new Set(o.vips);
  for (const e of events) {
    if (e.kind === 'garp') {
      if (e.at >= o.since && e.mac === o.survivor.mac && wanted.has(e.ip) && !firstGarps.has(e.ip)) firstGarps.set(e.ip, e.at);
      continue;
    }
    if ((o.protocol === 'pulse') !== (e.kind === 'heartbeat')) continue;
    if (e.from === o.stopped && (lastHeartbeat === null || e.at > lastHeartbeat)) lastHeartbeat = e.at;
    const running = e.kind === 'vrrp' || e.magic === 'lvs-running';
    if (e.from === o.survivor.ip && running && e.at >= o.since && (firstRunning === null || e.at < firstRunning)) firstRunning = e.at;
  }
  const times = [...firstGarps.values()];
  const missing = o.vips.filter((v) => !firstGarps.has(v));
  return {
    lastHeartbeat,
    firstRunning,
    firstGarp: times.length === 0 ? null : Math.min(...times),
    allFirstGarps: missing.length === 0 && times.length > 0 ? Math.max(...times) : null,
    missing,
  };
}
