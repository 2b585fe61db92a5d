/**
 * Fakes for the link layer, in the nltest style: FakeRouteKernel is an rtnetlink kernel as a
 * NetlinkFunc (links, addresses, the kernel's add/delete matching rules, errno replies) that
 * also sends link notifications to FakeMulticastSockets; RecordingArpSender records
 * announcements. ManualClock (src/testing/manual-clock.ts) is re-exported for the link tests.
 */
import { constants } from 'node:os';
import type { ArpSender } from '../arp/sender-interface.js';
import { decodeAttributes } from '../netlink/attributes.js';
import { NLM_F } from '../netlink/constants.js';
import { encodeMessage, type NetlinkMessage } from '../netlink/message.js';
import { ack, errno, multipart, reply, type NetlinkFunc } from './nltest.js';
import { bytesToIp, ipToBytes, type IpFamily } from '../net/address.js';
import type { Clock } from '../clock.js';
import { decodeIfaddrmsg, decodeIfinfomsg, encodeAddress, encodeLink, familyOf } from '../link/codec.js';
import { IFA, IFA_F, IFADDRMSG_LEN, IFF, IFINFOMSG_LEN, IFLA, RTM } from '../link/constants.js';
import type { MulticastSocket } from '../link/multicast.js';
import type { AddressEntry, Link } from '../link/types.js';
import { maskOfPrefix } from '../link/vip.js';

const E = constants.errno;

/** FakeMulticastSocket is a MulticastSocket that tests (or a FakeRouteKernel) feed by hand. */
export class FakeMulticastSocket implements MulticastSocket {
  private readonly listeners: Array<(d: Uint8Array) => void> = [];
  private readonly errorListeners: Array<(e: Error & { code?: string }) => void> = [];
  closed = false;
  /** dropping discards delivered datagrams, as a full receive buffer does (follow with fail('ENOBUFS')). */
  dropping = false;

  onDatagram(fn: (d: Uint8Array) => void): void {
    this.listeners.push(fn);
  }

  onError(fn: (e: Error & { code?: string }) => void): void {
    this.errorListeners.push(fn);
  }

  close(): void {
    this.closed = true;
  }

  /** deliver hands a datagram to the listeners, as the kernel would. */
  deliver(datagram: Uint8Array): void {
    if (!this.closed && !this.dropping) for (const fn of this.listeners) fn(datagram);
  }

  /** fail reports a socket error with an errno name ('ENOBUFS': notifications were dropped). */
  fail(code: string): void {
    const err = Object.assign(new Error(`recvmsg: ${code}`), { code });
    if (!this.closed) for (const fn of this.errorListeners) fn(err);
  }
}

/** FakeLinkSpec is a link to create in a FakeRouteKernel; unset fields get Ethernet defaults. */
export type FakeLinkSpec = Partial<Link> & { readonly name: string };

/**
 * FakeRouteKernel keeps links and addresses and answers rtnetlink requests the way Linux does
 * for the cases we use: EEXIST on NEWADDR with NLM_F_EXCL, EADDRNOTAVAIL on DELADDR of a
 * missing address, ENODEV for an unknown link, IPv4 deletion by local address, label and (with
 * IFA_ADDRESS) prefix, removal of a primary's secondaries (promote_secondaries off). It refuses
 * every link change (RTM_NEWLINK/RTM_DELLINK) with EOPNOTSUPP and counts them in `linkChanges`.
 */
export class FakeRouteKernel {
  private readonly links = new Map<number, Link>();
  private addresses: AddressEntry[] = [];
  private nextIndex = 1;
  private readonly subscribers = new Set<FakeMulticastSocket>();
  /** linkChanges counts the link-changing requests received (lvs-director must send none). */
  linkChanges = 0;
  /** failures maps a message type to an errno to answer its next request with. */
  readonly failures = new Map<number, number>();

  constructor(links: readonly FakeLinkSpec[] = [{ name: 'lo', type: 772, mac: '00:00:00:00:00:00', flags: IFF.LOOPBACK }, { name: 'eth0' }]) {
    for (const l of links) this.addLink(l);
  }

  /** addLink creates a link (up with carrier unless told otherwise) and returns it. */
  addLink(spec: FakeLinkSpec): Link {
    const index = spec.index ?? this.nextIndex;
    this.nextIndex = Math.max(this.nextIndex, index + 1);
    const n = index & 0xff;
    const link: Link = {
      index,
      name: spec.name,
      type: spec.type ?? 1,
      mac: spec.mac === undefined ? `52:54:00:00:00:${n.toString(16).padStart(2, '0')}` : spec.mac,
      broadcast: spec.broadcast === undefined ? 'ff:ff:ff:ff:ff:ff' : spec.broadcast,
      mtu: spec.mtu ?? 1500,
      flags: (spec.flags ?? IFF.BROADCAST | IFF.MULTICAST) | ((spec.up ?? true) ? IFF.UP : 0) | ((spec.carrier ?? true) ? IFF.LOWER_UP | IFF.RUNNING : 0),
      up: spec.up ?? true,
      carrier: spec.carrier ?? true,
      operstate: spec.operstate ?? ((spec.carrier ?? true) ? 'up' : 'down'),
    };
    this.links.set(index, link);
    this.notify(RTM.NEWLINK, link);
    return link;
  }

  /** setLink changes a link's state (as a cable pull or `ip link set` would) and notifies subscribers. */
  setLink(name: string, change: Partial<Pick<Link, 'up' | 'carrier' | 'operstate' | 'mac'>>): void {
    const l = this.linkNamed(name);
    if (l === undefined) throw new Error(`no fake link ${name}`);
    const up = change.up ?? l.up;
    const carrier = change.carrier ?? l.carrier;
    const flags = (l.flags & ~(IFF.UP | IFF.LOWER_UP | IFF.RUNNING)) | (up ? IFF.UP : 0) | (carrier ? IFF.LOWER_UP : 0) | (up && carrier ? IFF.RUNNING : 0);
    const next: Link = { ...l, ...change, up, carrier, flags, operstate: change.operstate ?? (up && carrier ? 'up' : 'down') };
    this.links.set(l.index, next);
    this.notify(RTM.NEWLINK, next);
  }

  /** removeLink deletes a link and its addresses and notifies subscribers. */
  removeLink(name: string): void {
    const l = this.linkNamed(name);
    if (l === undefined) return;
    this.links.delete(l.index);
    this.addresses = this.addresses.filter((a) => a.index !== l.index);
    this.notify(RTM.DELLINK, l);
  }

  /** subscribe returns a socket that receives this kernel's link notifications. */
  subscribe(): FakeMulticastSocket {
    const s = new FakeMulticastSocket();
    this.subscribers.add(s);
    return s;
  }

  /** addAddress puts an address in place directly (an administrator's, or a leftover). */
  addAddress(a: Omit<AddressEntry, 'index' | 'peer' | 'scope' | 'flags' | 'broadcast' | 'label' | 'proto'> & Partial<AddressEntry> & { link: string }): void {
    const l = this.linkNamed(a.link);
    if (l === undefined) throw new Error(`no fake link ${a.link}`);
    const { link: _link, ...entry } = a;
    this.insert({ peer: null, scope: 0, flags: 0, broadcast: null, label: a.family === 4 ? l.name : null, proto: 0, ...entry, index: l.index });
  }

  /** addressList returns the addresses with their link names. */
  addressList(): Array<AddressEntry & { link: string }> {
    return this.addresses.map((a) => ({ ...a, link: this.links.get(a.index)?.name ?? '?' }));
  }

  /** link returns the current state of a link by name. */
  linkNamed(name: string): Link | undefined {
    for (const l of this.links.values()) if (l.name === name) return l;
    return undefined;
  }

  private notify(type: number, link: Link): void {
    if (this.subscribers.size === 0) return;
    const datagram = encodeMessage({ type, flags: 0, seq: 0, pid: 0, payload: encodeLink(link) });
    for (const s of this.subscribers) s.deliver(datagram);
  }

  private insert(a: AddressEntry): void {
    let flags = a.flags & ~IFA_F.SECONDARY;
    if (a.family === 4 && this.addresses.some((b) => b.family === 4 && b.index === a.index && (b.flags & IFA_F.SECONDARY) === 0 && sameSubnet(a, b))) flags |= IFA_F.SECONDARY;
    if (a.family === 6) flags |= IFA_F.PERMANENT;
    this.addresses.push({ ...a, flags });
  }

  /** func answers requests; use it with nltest's dial(). */
  readonly func: NetlinkFunc = (request) => {
    const injected = this.failures.get(request.type);
    if (injected !== undefined) {
      this.failures.delete(request.type);
      return [errno(request, injected)];
    }
    const acked = (replies: NetlinkMessage[]): NetlinkMessage[] => ((request.flags & NLM_F.ACK) !== 0 ? [...replies, ack(request)] : replies);
    switch (request.type) {
      case RTM.GETLINK:
        return this.getLink(request);
      case RTM.GETADDR: {
        const family = familyOf(request.payload[0] ?? 0);
        const list = this.addresses.filter((a) => family === null || a.family === family);
        return multipart(request, list.map(encodeAddress), RTM.NEWADDR);
      }
      case RTM.NEWADDR: {
        const r = parseAddressRequest(request.payload);
        if (!this.links.has(r.index)) return [errno(request, E.ENODEV)];
        if (r.local === null) return [errno(request, E.EINVAL)];
        const exists = this.addresses.some((a) => a.index === r.index && a.family === r.family && a.address === r.local && (r.family === 6 || a.prefix === r.prefix));
        if (exists) return (request.flags & NLM_F.EXCL) !== 0 ? [errno(request, E.EEXIST)] : acked([]);
        const linkName = this.links.get(r.index)?.name ?? '';
        this.insert({
          family: r.family,
          index: r.index,
          address: r.local,
          peer: null,
          prefix: r.prefix,
          broadcast: r.family === 4 ? r.broadcast : null,
          label: r.family === 4 ? (r.label ?? linkName) : null,
          flags: r.flags & ~(IFA_F.SECONDARY | IFA_F.PERMANENT),
          scope: r.scope,
          proto: r.proto,
        });
        return acked([]);
      }
      case RTM.DELADDR: {
        const r = parseAddressRequest(request.payload);
        if (!this.links.has(r.index)) return [errno(request, E.ENODEV)];
        const victim = this.addresses.find((a) =>
          a.index === r.index && a.family === r.family && (r.family === 6
            ? a.address === r.address && a.prefix === r.prefix
            : (r.local === null || a.address === r.local) && (r.label === null || a.label === r.label) && (r.address === null || (a.prefix === r.prefix && sameSubnet(a, { ...a, address: r.address })))),
        );
        if (victim === undefined) return [errno(request, E.EADDRNOTAVAIL)];
        const primary = victim.family === 4 && (victim.flags & IFA_F.SECONDARY) === 0;
        this.addresses = this.addresses.filter(
          (a) => a !== victim && !(primary && a.family === 4 && a.index === victim.index && (a.flags & IFA_F.SECONDARY) !== 0 && sameSubnet(a, victim) && a.prefix === victim.prefix),
        );
        return acked([]);
      }
      case RTM.NEWLINK:
      case RTM.DELLINK:
        this.linkChanges++;
        return [errno(request, E.EOPNOTSUPP)];
      default:
        return [errno(request, E.EOPNOTSUPP)];
    }
  };

  private getLink(request: NetlinkMessage): NetlinkMessage[] {
    if ((request.flags & NLM_F.DUMP) === NLM_F.DUMP) return multipart(request, [...this.links.values()].map(encodeLink), RTM.NEWLINK);
    const h = decodeIfinfomsg(request.payload);
    let name: string | null = null;
    decodeAttributes(request.payload.subarray(IFINFOMSG_LEN), (d) => {
      while (d.next()) if (d.type() === IFLA.IFNAME) name = d.string();
    });
    const link = name !== null ? this.linkNamed(name) : this.links.get(h.index);
    if (link === undefined) return [errno(request, E.ENODEV)];
    const answer = reply(request, encodeLink(link), RTM.NEWLINK);
    return (request.flags & NLM_F.ACK) !== 0 ? [answer, ack(request)] : [answer];
  }
}

function sameSubnet(a: Pick<AddressEntry, 'address' | 'prefix'>, b: Pick<AddressEntry, 'address'>): boolean {
  const x = ipToBytes(a.address);
  const y = ipToBytes(b.address);
  if (x.length !== y.length) return false;
  const mask = maskOfPrefix(a.prefix, x.length === 4 ? 4 : 16);
  return x.every((v, i) => (v & (mask[i] as number)) === ((y[i] as number) & (mask[i] as number)));
}

interface ParsedAddressRequest {
  family: IpFamily;
  index: number;
  prefix: number;
  flags: number;
  scope: number;
  local: string | null;
  address: string | null;
  broadcast: string | null;
  label: string | null;
  proto: number;
}

function parseAddressRequest(payload: Uint8Array): ParsedAddressRequest {
  const h = decodeIfaddrmsg(payload);
  const family = familyOf(h.family);
  if (family === null) throw new Error(`fake kernel: address family ${h.family}`);
  const r: ParsedAddressRequest = { family, index: h.index, prefix: h.prefix, flags: h.flags, scope: h.scope, local: null, address: null, broadcast: null, label: null, proto: 0 };
  decodeAttributes(payload.subarray(IFADDRMSG_LEN), (d) => {
    while (d.next()) {
      switch (d.type()) {
        case IFA.LOCAL:
          r.local = bytesToIp(d.bytes(), family);
          break;
        case IFA.ADDRESS:
          r.address = bytesToIp(d.bytes(), family);
          break;
        case IFA.BROADCAST:
          r.broadcast = bytesToIp(d.bytes(), family);
          break;
        case IFA.LABEL:
          r.label = d.string();
          break;
        case IFA.FLAGS:
          r.flags = d.u32();
          break;
        case IFA.PROTO:
          r.proto = d.u8();
          break;
      }
    }
  });
  if (family === 6) r.local ??= r.address;
  return r;
}

/** Announcement is one call to an ArpSender, with the time it was made. */
export interface Announcement {
  readonly device: string;
  readonly ip: string;
  readonly mac: string;
  readonly at: number;
}

/** RecordingArpSender is an in-memory ArpSender: it records every announcement (and can be told to fail some). */
export class RecordingArpSender implements ArpSender {
  readonly sent: Announcement[] = [];

  constructor(
    private readonly clock: Pick<Clock, 'now'>,
    private readonly failWith: (device: string, ip: string) => Error | null = () => null,
  ) {}

  announce(device: string, ip: string, mac: string): Promise<void> {
    const err = this.failWith(device, ip);
    if (err !== null) return Promise.reject(err);
    this.sent.push({ device, ip, mac, at: this.clock.now() });
    return Promise.resolve();
  }
}

export { ManualClock, settle } from './manual-clock.js';
