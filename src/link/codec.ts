/**
 * The rtnetlink codec for links and addresses: struct ifinfomsg / struct ifaddrmsg plus their
 * attributes, to and from domain values. Pure: no socket. Decoders throw NetlinkProtocolError
 * on a malformed message (the attribute decoder's sticky error, checked once).
 */
import { AttributeEncoder, decodeAttributes } from '../netlink/attributes.js';
import { NetlinkProtocolError } from '../netlink/errors.js';
import type { NetlinkMessage } from '../netlink/message.js';
import { bytesToIp, ipToBytes, type IpFamily } from '../net/address.js';
import { AF_INET, AF_INET6, AF_UNSPEC, IFA, IFADDRMSG_LEN, IFF, IFINFOMSG_LEN, IFLA, RTEXT_FILTER, RTM, RT_SCOPE } from './constants.js';
import type { AddressEntry, AddressRequest, Link, LinkEvent, OperState } from './types.js';

/** Ifinfomsg is struct ifinfomsg, the fixed header of link messages. */
export interface Ifinfomsg {
  readonly family: number;
  readonly type: number;
  readonly index: number;
  readonly flags: number;
  readonly change: number;
}

/** Ifaddrmsg is struct ifaddrmsg, the fixed header of address messages. */
export interface Ifaddrmsg {
  readonly family: number;
  readonly prefix: number;
  readonly flags: number;
  readonly scope: number;
  readonly index: number;
}

/** encodeIfinfomsg renders a struct ifinfomsg (16 bytes) followed by attribute bytes. */
export function encodeIfinfomsg(h: Ifinfomsg, attributes: Uint8Array = new Uint8Array(0)): Uint8Array {
  const out = new Uint8Array(IFINFOMSG_LEN + attributes.length);
  const v = new DataView(out.buffer);
  v.setUint8(0, h.family);
  v.setUint16(2, h.type, true);
  v.setInt32(4, h.index, true);
  v.setUint32(8, h.flags >>> 0, true);
  v.setUint32(12, h.change >>> 0, true);
  out.set(attributes, IFINFOMSG_LEN);
  return out;
}

/** decodeIfinfomsg reads the struct ifinfomsg at the start of a link message payload. */
export function decodeIfinfomsg(payload: Uint8Array): Ifinfomsg {
  if (payload.length < IFINFOMSG_LEN) throw new NetlinkProtocolError(`link message of ${payload.length} bytes is shorter than struct ifinfomsg`);
  const v = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  return { family: v.getUint8(0), type: v.getUint16(2, true), index: v.getInt32(4, true), flags: v.getUint32(8, true), change: v.getUint32(12, true) };
}

/** encodeIfaddrmsg renders a struct ifaddrmsg (8 bytes) followed by attribute bytes. */
export function encodeIfaddrmsg(h: Ifaddrmsg, attributes: Uint8Array = new Uint8Array(0)): Uint8Array {
  const out = new Uint8Array(IFADDRMSG_LEN + attributes.length);
  const v = new DataView(out.buffer);
  v.setUint8(0, h.family);
  v.setUint8(1, h.prefix);
  v.setUint8(2, h.flags & 0xff);
  v.setUint8(3, h.scope);
  v.setUint32(4, h.index >>> 0, true);
  out.set(attributes, IFADDRMSG_LEN);
  return out;
}

/** decodeIfaddrmsg reads the struct ifaddrmsg at the start of an address message payload. */
export function decodeIfaddrmsg(payload: Uint8Array): Ifaddrmsg {
  if (payload.length < IFADDRMSG_LEN) throw new NetlinkProtocolError(`address message of ${payload.length} bytes is shorter than struct ifaddrmsg`);
  const v = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  return { family: v.getUint8(0), prefix: v.getUint8(1), flags: v.getUint8(2), scope: v.getUint8(3), index: v.getUint32(4, true) };
}

/** macText renders hardware address bytes as lowercase colon-separated hex. */
export function macText(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(':');
}

/** macBytes parses colon-separated (or bare) hex into hardware address bytes; it throws TypeError on bad text. */
export function macBytes(text: string): Uint8Array {
  const hex = text.replace(/:/g, '');
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) throw new TypeError(`not a hardware address: ${JSON.stringify(text)}`);
  return Uint8Array.from({ length: hex.length / 2 }, (_, i) => parseInt(hex.slice(2 * i, 2 * i + 2), 16));
}

const OPER_STATES: readonly OperState[] = ['unknown', 'notpresent', 'down', 'lowerlayerdown', 'testing', 'dormant', 'up'];

/** operStateName names an IF_OPER_* value ('unknown' for values the kernel may add later). */
export function operStateName(n: number): OperState {
  return OPER_STATES[n] ?? 'unknown';
}

/** operStateNumber is the IF_OPER_* value of a state name. */
export function operStateNumber(s: OperState): number {
  return OPER_STATES.indexOf(s);
}

/** linkRequest is the payload of RTM_GETLINK: one link by name or index, or (null) every link for a dump. Counters are left out. */
export function linkRequest(selector: { name: string } | { index: number } | null): Uint8Array {
  const e = new AttributeEncoder();
  if (selector !== null && 'name' in selector) e.string(IFLA.IFNAME, selector.name);
  e.u32(IFLA.EXT_MASK, RTEXT_FILTER.SKIP_STATS);
  const index = selector !== null && 'index' in selector ? selector.index : 0;
  return encodeIfinfomsg({ family: AF_UNSPEC, type: 0, index, flags: 0, change: 0 }, e.encode());
}

/** decodeLink reads an RTM_NEWLINK payload into a Link. */
export function decodeLink(payload: Uint8Array): Link {
  const h = decodeIfinfomsg(payload);
  let name = '';
  let mac: string | null = null;
  let broadcast: string | null = null;
  let mtu = 0;
  let operstate: OperState = 'unknown';
  let carrier: boolean | null = null;
  decodeAttributes(payload.subarray(IFINFOMSG_LEN), (d) => {
    while (d.next()) {
      switch (d.type()) {
        case IFLA.IFNAME:
          name = d.string();
          break;
        case IFLA.ADDRESS:
          mac = macText(d.bytes());
          break;
        case IFLA.BROADCAST:
          broadcast = macText(d.bytes());
          break;
        case IFLA.MTU:
          mtu = d.u32();
          break;
        case IFLA.OPERSTATE:
          operstate = operStateName(d.u8());
          break;
        case IFLA.CARRIER:
          carrier = d.u8() !== 0;
          break;
      }
    }
  });
  return {
    index: h.index,
    name,
    type: h.type,
    mac,
    broadcast,
    mtu,
    flags: h.flags,
    up: (h.flags & IFF.UP) !== 0,
    carrier: carrier ?? (h.flags & IFF.LOWER_UP) !== 0,
    operstate,
  };
}

/** encodeLink renders a Link as an RTM_NEWLINK payload, as the kernel would (for fakes and round trips). */
export function encodeLink(link: Link): Uint8Array {
  const e = new AttributeEncoder().string(IFLA.IFNAME, link.name).u32(IFLA.MTU, link.mtu);
  if (link.mac !== null) e.bytes(IFLA.ADDRESS, macBytes(link.mac));
  if (link.broadcast !== null) e.bytes(IFLA.BROADCAST, macBytes(link.broadcast));
  e.u8(IFLA.OPERSTATE, operStateNumber(link.operstate)).u8(IFLA.CARRIER, link.carrier ? 1 : 0);
  const flags = (link.flags & ~IFF.UP) | (link.up ? IFF.UP : 0);
  return encodeIfinfomsg({ family: AF_UNSPEC, type: link.type, index: link.index, flags, change: 0 }, e.encode());
}

/** linkEventOf turns an RTM_NEWLINK/RTM_DELLINK notification into a LinkEvent; other messages give null. */
export function linkEventOf(m: NetlinkMessage): LinkEvent | null {
  if (m.type !== RTM.NEWLINK && m.type !== RTM.DELLINK) return null;
  const link = decodeLink(m.payload);
  return { name: link.name, index: link.index, carrier: link.carrier, operstate: link.operstate, up: link.up, removed: m.type === RTM.DELLINK };
}

const afOf = (family: IpFamily): number => (family === 4 ? AF_INET : AF_INET6);

/** familyOf maps an address family number to 4 or 6 (null for others). */
export function familyOf(af: number): IpFamily | null {
  return af === AF_INET ? 4 : af === AF_INET6 ? 6 : null;
}

/** addressDumpRequest is the payload of an RTM_GETADDR dump of one family (or both, with null). */
export function addressDumpRequest(family: IpFamily | null): Uint8Array {
  return encodeIfaddrmsg({ family: family === null ? AF_UNSPEC : afOf(family), prefix: 0, flags: 0, scope: 0, index: 0 });
}

/**
 * newAddressRequest is the payload of RTM_NEWADDR for a request on link `index`: the same
 * attributes in the same order as `ip addr add` (iproute2 6.1) sends (IFA_LOCAL, the IPv4
 * IFA_BROADCAST and IFA_LABEL, IFA_ADDRESS; IFA_FLAGS only for flags beyond ifa_flags' 8 bits),
 * then IFA_PROTO.
 */
export function newAddressRequest(r: AddressRequest, index: number): Uint8Array {
  const bytes = ipToBytes(r.address);
  const e = new AttributeEncoder().bytes(IFA.LOCAL, bytes);
  if (r.family === 4 && r.broadcast !== null) e.bytes(IFA.BROADCAST, ipToBytes(r.broadcast));
  if (r.family === 4 && r.label !== null) e.string(IFA.LABEL, r.label);
  e.bytes(IFA.ADDRESS, bytes);
  if (r.flags > 0xff) e.u32(IFA.FLAGS, r.flags);
  if (r.proto !== 0) e.u8(IFA.PROTO, r.proto);
  return encodeIfaddrmsg({ family: afOf(r.family), prefix: r.prefix, flags: r.flags, scope: RT_SCOPE.UNIVERSE, index }, e.encode());
}

/**
 * deleteAddressRequest is the payload of RTM_DELADDR for a request on link `index`. IPv4 is
 * matched by local address and label (so an administrator's address with the same IP and a
 * different label is left alone) whatever its prefix; IPv6 by address and prefix length.
 */
export function deleteAddressRequest(r: Pick<AddressRequest, 'family' | 'address' | 'prefix' | 'label'>, index: number): Uint8Array {
  const bytes = ipToBytes(r.address);
  const e = new AttributeEncoder().bytes(IFA.LOCAL, bytes);
  if (r.family === 6) e.bytes(IFA.ADDRESS, bytes);
  if (r.family === 4 && r.label !== null) e.string(IFA.LABEL, r.label);
  return encodeIfaddrmsg({ family: afOf(r.family), prefix: r.prefix, flags: 0, scope: 0, index }, e.encode());
}

/** decodeAddress reads an RTM_NEWADDR payload into an AddressEntry; it returns null for families other than IPv4 and IPv6. */
export function decodeAddress(payload: Uint8Array): AddressEntry | null {
  const h = decodeIfaddrmsg(payload);
  const family = familyOf(h.family);
  if (family === null) return null;
  const size = family === 4 ? 4 : 16;
  let local: string | null = null;
  let address: string | null = null;
  let broadcast: string | null = null;
  let label: string | null = null;
  let flags = h.flags;
  let proto = 0;
  decodeAttributes(payload.subarray(IFADDRMSG_LEN), (d) => {
    const ip = (): string | null => {
      const b = d.bytes();
      if (b.length !== size) {
        d.fail(`address attribute ${d.type()} has ${b.length} bytes, expected ${size}`);
        return null;
      }
      return bytesToIp(b, family);
    };
    while (d.next()) {
      switch (d.type()) {
        case IFA.LOCAL:
          local = ip();
          break;
        case IFA.ADDRESS:
          address = ip();
          break;
        case IFA.BROADCAST:
          broadcast = ip();
          break;
        case IFA.LABEL:
          label = d.string();
          break;
        case IFA.FLAGS:
          flags = d.u32();
          break;
        case IFA.PROTO:
          proto = d.u8();
          break;
      }
    }
  });
  const mine: string | null = local ?? address;
  if (mine === null) throw new NetlinkProtocolError(`address message on link ${h.index} carries no address`);
  return {
    family,
    index: h.index,
    address: mine,
    peer: local !== null && address !== null && address !== local ? address : null,
    prefix: h.prefix,
    broadcast,
    label: family === 4 ? label : null,
    flags,
    scope: h.scope,
    proto,
  };
}

/** encodeAddress renders an AddressEntry as the kernel reports it in an RTM_NEWADDR (for fakes and round trips). */
export function encodeAddress(a: AddressEntry): Uint8Array {
  const e = new AttributeEncoder();
  const bytes = ipToBytes(a.address);
  if (a.family === 4) {
    e.bytes(IFA.ADDRESS, a.peer === null ? bytes : ipToBytes(a.peer)).bytes(IFA.LOCAL, bytes);
    if (a.broadcast !== null) e.bytes(IFA.BROADCAST, ipToBytes(a.broadcast));
    if (a.label !== null) e.string(IFA.LABEL, a.label);
  } else {
    if (a.peer !== null) e.bytes(IFA.LOCAL, bytes).bytes(IFA.ADDRESS, ipToBytes(a.peer));
    else e.bytes(IFA.ADDRESS, bytes);
  }
  e.u32(IFA.FLAGS, a.flags);
  if (a.proto !== 0) e.u8(IFA.PROTO, a.proto);
  return encodeIfaddrmsg({ family: afOf(a.family), prefix: a.prefix, flags: a.flags, scope: a.scope, index: a.index }, e.encode());
}
