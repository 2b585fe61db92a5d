/**
 * From an lvs.cf VIP (`address = IP DEVICE`, optional `vip_nmask`) to the address request that
 * brings it up, the way piranha's pulse did with ifconfig (reference piranha.md §2.6), pure:
 *
 * - the device names the link and the alias: `eth0:1` is link `eth0`, label `eth0:1`, so `ip
 *   addr` and `ifconfig` users still see the alias; a plain `eth0` is labelled as the link;
 * - IPv4 without a netmask is a /32 with no broadcast (piranha ran `ifconfig DEV IP up`);
 * - IPv4 with netmask M is a /popcount(M) with broadcast (IP & M) | ~M, as piranha computed it
 *   for `ifconfig DEV IP netmask M broadcast B up` (a /32 mask gets no broadcast);
 * - IPv6 is a /128 unless a prefix is given, and is flagged IFA_F_NODAD so that it is usable at
 *   once (no duplicate address detection delay before announcing it);
 * - every VIP is marked with IFA_PROTO = LVS_ADDRESS_PROTO so that a later start knows it as ours.
 */
import { bytesToIp, ipFamily, ipToBytes } from '../net/address.js';
import { IFA_F, IFNAMSIZ, LVS_ADDRESS_PROTO } from './constants.js';
import { LinkError } from './errors.js';
import type { AddressRequest } from './types.js';

/** VipSpec is a VIP as lvs.cf gives it. */
export interface VipSpec {
  /** address is an IPv4 or IPv6 literal (hostnames are resolved by the config layer). */
  readonly address: string;
  /** device is the interface, with an optional alias suffix: `eth0` or `eth0:1`. */
  readonly device: string;
  /**
   * netmask is `vip_nmask` (or `nat_nmask`): a dotted IPv4 mask such as 255.255.255.0, or a
   * prefix length (`24`, `/24`; for IPv6 `64`, `/64` or a contiguous IPv6 mask). Absent or null
   * means a host address (/32, /128).
   */
  readonly netmask?: string | null;
}

/** DeviceName is a device split into its link and label. */
export interface DeviceName {
  readonly link: string;
  readonly label: string;
}

const DEVICE = /^([^\s/:]+)(:[^\s/:]+)?$/;

/** splitDevice splits `eth0:1` into link `eth0` and label `eth0:1` (`eth0` into `eth0`, `eth0`). It throws LinkError BAD_DEVICE. */
export function splitDevice(device: string): DeviceName {
  const m = DEVICE.exec(device);
  if (m === null || device.length > IFNAMSIZ - 1)
    throw new LinkError('BAD_DEVICE', 'add-address', device, `'${device}' is not an interface name (at most ${IFNAMSIZ - 1} characters, an alias as eth0:1)`);
  return { link: m[1] as string, label: device };
}

/** prefixOfMask returns the prefix length of a contiguous mask given as bytes, or null when it is not contiguous. */
export function prefixOfMask(mask: Uint8Array): number | null {
  let bits = 0;
  let ended = false;
  for (const byte of mask)
    for (let bit = 7; bit >= 0; bit--) {
      const set = ((byte >> bit) & 1) === 1;
      if (set && ended) return null;
      if (set) bits++;
      else ended = true;
    }
  return bits;
}

/** maskOfPrefix returns the mask bytes (4 or 16) of a prefix length. */
export function maskOfPrefix(prefix: number, size: 4 | 16): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = prefix >= 8 * (i + 1) ? 0xff : prefix <= 8 * i ? 0 : (0xff << (8 - (prefix - 8 * i))) & 0xff;
  return out;
}

/** parsePrefix reads a netmask or prefix-length text for a family; null when it is neither. */
export function parsePrefix(netmask: string, family: 4 | 6): number | null {
  const max = family === 4 ? 32 : 128;
  const length = /^\/?(\d{1,3})$/.exec(netmask.trim());
  if (length !== null) {
    const n = Number(length[1]);
    return n <= max ? n : null;
  }
  if (ipFamily(netmask.trim()) !== family) return null;
  return prefixOfMask(ipToBytes(netmask.trim()));
}

/** broadcastOf computes piranha's broadcast (IP & M) | ~M for an IPv4 address and prefix; null for a /32. */
export function broadcastOf(address: string, prefix: number): string | null {
  if (prefix >= 32) return null;
  const ip = ipToBytes(address);
  const mask = maskOfPrefix(prefix, 4);
  return bytesToIp(
    ip.map((b, i) => (b & (mask[i] as number)) | (~(mask[i] as number) & 0xff)),
    4,
  );
}

/** vipRequest derives the address request of a VIP. It throws LinkError BAD_VIP or BAD_DEVICE. */
export function vipRequest(spec: VipSpec): AddressRequest {
  const family = ipFamily(spec.address);
  if (family === null) throw new LinkError('BAD_VIP', 'add-address', spec.address, `'${spec.address}' is not an IP address`);
  const { link, label } = splitDevice(spec.device);
  const address = bytesToIp(ipToBytes(spec.address), family);
  const netmask = spec.netmask ?? null;
  const prefix = netmask === null ? (family === 4 ? 32 : 128) : parsePrefix(netmask, family);
  if (prefix === null)
    throw new LinkError('BAD_VIP', 'add-address', `${address} on ${spec.device}`, `'${netmask}' is not a contiguous ${family === 4 ? 'IPv4 netmask' : 'IPv6 prefix'}`);
  if (family === 4) return { family, link, label, address, prefix, broadcast: broadcastOf(address, prefix), flags: 0, proto: LVS_ADDRESS_PROTO };
  return { family, link, label: null, address, prefix, broadcast: null, flags: IFA_F.NODAD, proto: LVS_ADDRESS_PROTO };
}

/** describeRequest renders a request for messages: `192.0.2.10/32 on eth0:1`. */
export function describeRequest(r: Pick<AddressRequest, 'address' | 'prefix' | 'link' | 'label'>): string {
  return `${r.address}/${r.prefix} on ${r.label ?? r.link}`;
}
