/**
 * RouteClient: links and addresses of the caller's network namespace over rtnetlink
 * (NETLINK_ROUTE), on the same NetlinkConnection as everything else: requests are pipelined,
 * dumps retried when the kernel says they were interrupted. Adding and removing a VIP are
 * idempotent. The client never changes a link (no RTM_NEWLINK/RTM_SETLINK is ever sent): taking
 * a VIP down removes its address and leaves the interface up, unlike piranha's `ifconfig DEV down`.
 */
import type { NetlinkTransport } from '../netlink/connection.js';
import { NETLINK_ROUTE, NLM_F } from '../netlink/constants.js';
import { NetlinkError } from '../netlink/errors.js';
import { openConnection } from '../netlink/socket.js';
import type { IpFamily } from '../net/address.js';
import { addressDumpRequest, decodeAddress, decodeLink, deleteAddressRequest, linkRequest, newAddressRequest } from './codec.js';
import { IFA_F, RTM } from './constants.js';
import { LinkError, toLinkError, type LinkOperation } from './errors.js';
import { staleAddresses, type OwnershipRule } from './stale.js';
import type { AddOutcome, AddressEntry, AddressRequest, Link, RemoveOutcome } from './types.js';
import { describeRequest } from './vip.js';

/** DUMP_RETRIES is how often an interrupted dump (the table changed meanwhile) is retried. */
const DUMP_RETRIES = 5;

/** AddressFilter narrows an address listing. */
export interface AddressFilter {
  readonly family?: IpFamily;
  /** link keeps only the addresses of the interface of that name. */
  readonly link?: string;
}

/** StaleRemoval is one of our leftover addresses and what removing it did. */
export interface StaleRemoval {
  readonly entry: AddressEntry;
  /** link is the name of the address's interface. */
  readonly link: string;
  readonly outcome: RemoveOutcome | null;
  /** error is set when the kernel refused the removal. */
  readonly error: unknown;
}

/** RouteClient reads links and addresses and adds and removes addresses. */
export class RouteClient {
  /** indexes caches interface indexes by name (a request in flight is shared). */
  private readonly indexes = new Map<string, Promise<number>>();

  constructor(private readonly transport: NetlinkTransport) {}

  /** open makes a client over a real NETLINK_ROUTE socket (or over a given transport). */
  static open(transport: NetlinkTransport = openConnection(NETLINK_ROUTE)): RouteClient {
    return new RouteClient(transport);
  }

  /** close releases the socket. */
  close(): void {
    this.transport.close();
  }

  private async request(op: LinkOperation, target: string, type: number, flags: number, payload: Uint8Array): Promise<Uint8Array[]> {
    const dump = (flags & NLM_F.DUMP) === NLM_F.DUMP;
    for (let attempt = 0; ; attempt++) {
      try {
        const replies = await this.transport.execute({ operation: `${op} ${target}`.trim(), type, flags, payload });
        return replies.map((m) => m.payload);
      } catch (err) {
        if (dump && err instanceof NetlinkError && err.code === 'EINTR' && attempt < DUMP_RETRIES) continue;
        throw toLinkError(err, op, target);
      }
    }
  }

  /** links dumps every interface. */
  async links(): Promise<Link[]> {
    const replies = await this.request('list-links', '', RTM.GETLINK, NLM_F.DUMP, linkRequest(null));
    const links = replies.map(decodeLink);
    for (const l of links) this.indexes.set(l.name, Promise.resolve(l.index));
    return links;
  }

  /** link reads one interface by name; it rejects with LinkError ENODEV when there is none. */
  async link(name: string): Promise<Link> {
    const pending = this.request('get-link', name, RTM.GETLINK, 0, linkRequest({ name })).then(([reply]) => {
      if (reply === undefined) throw new Error(`get link ${name}: empty reply`);
      return decodeLink(reply);
    });
    // An index lookup made meanwhile shares this request.
    if (!this.indexes.has(name)) this.remember(name, pending.then((l) => l.index));
    const link = await pending;
    this.indexes.set(name, Promise.resolve(link.index));
    return link;
  }

  /** index resolves an interface name to its index, once per name (forget() drops the cached value). */
  private index(name: string): Promise<number> {
    const cached = this.indexes.get(name);
    if (cached !== undefined) return cached;
    return this.link(name).then((l) => l.index);
  }

  /** remember caches an index lookup in flight; a failed one is dropped so that the next call asks again. */
  private remember(name: string, p: Promise<number>): void {
    this.indexes.set(name, p);
    p.catch(() => {
      if (this.indexes.get(name) === p) this.indexes.delete(name);
    });
  }

  private forget(name: string): void {
    this.indexes.delete(name);
  }

  /** addresses dumps the addresses of the namespace, optionally of one family or interface. */
  async addresses(filter: AddressFilter = {}): Promise<AddressEntry[]> {
    const replies = await this.request('list-addresses', filter.link ?? '', RTM.GETADDR, NLM_F.DUMP, addressDumpRequest(filter.family ?? null));
    let entries = replies.map(decodeAddress).filter((a): a is AddressEntry => a !== null);
    if (filter.family !== undefined) entries = entries.filter((a) => a.family === filter.family);
    if (filter.link !== undefined) {
      const index = await this.index(filter.link);
      entries = entries.filter((a) => a.index === index);
    }
    return entries;
  }

  /**
   * addAddress puts an address on its interface. It resolves 'present' when the kernel already
   * has that address and prefix there (EEXIST), so calling it again is harmless.
   */
  async addAddress(r: AddressRequest): Promise<AddOutcome> {
    const target = describeRequest(r);
    return this.withIndex(r, 'add-address', target, async (index) => {
      try {
        await this.request('add-address', target, RTM.NEWADDR, NLM_F.ACK | NLM_F.CREATE | NLM_F.EXCL, newAddressRequest(r, index));
        return 'added';
      } catch (err) {
        if ((err as { code?: unknown }).code === 'EEXIST') return 'present';
        throw err;
      }
    });
  }

  /**
   * removeAddress takes an address off its interface (IPv4: that address with that label,
   * whatever its prefix; IPv6: that address and prefix). It resolves 'absent' when there is no
   * such address (EADDRNOTAVAIL) or no such interface, so calling it again is harmless.
   */
  async removeAddress(r: Pick<AddressRequest, 'family' | 'link' | 'label' | 'address' | 'prefix'>): Promise<RemoveOutcome> {
    try {
      const target = describeRequest(r);
      return await this.withIndex(r, 'remove-address', target, (index) => this.removeAt(r, index, target));
    } catch (err) {
      if ((err as { code?: unknown }).code === 'ENODEV') return 'absent';
      throw err;
    }
  }

  private async removeAt(r: Pick<AddressRequest, 'family' | 'label' | 'address' | 'prefix'>, index: number, target: string): Promise<RemoveOutcome> {
    try {
      await this.request('remove-address', target, RTM.DELADDR, NLM_F.ACK, deleteAddressRequest(r, index));
      return 'removed';
    } catch (err) {
      if ((err as { code?: unknown }).code === 'EADDRNOTAVAIL') return 'absent';
      throw err;
    }
  }

  /** withIndex runs `fn` with the request's interface index; on ENODEV (the interface was re-created) it looks the index up again once. */
  private async withIndex<T>(r: Pick<AddressRequest, 'link'>, op: LinkOperation, target: string, fn: (index: number) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const cached = this.indexes.has(r.link);
      let index: number;
      try {
        index = await this.index(r.link);
      } catch (err) {
        if (!(err instanceof LinkError)) throw err;
        throw new LinkError(err.code, op, target, err.code === 'ENODEV' ? `no such interface ${r.link}` : err.meaning, { cause: err.cause ?? err });
      }
      try {
        return await fn(index);
      } catch (err) {
        if ((err as { code?: unknown }).code !== 'ENODEV' || !cached || attempt > 0) throw err;
        this.forget(r.link);
      }
    }
  }

  /**
   * removeStale removes our leftover addresses (stale.ts defines "ours") from every interface
   * and reports each. Refusals are reported, not thrown, so one bad address does not keep the
   * others up.
   */
  async removeStale(rule: OwnershipRule): Promise<StaleRemoval[]> {
    const [entries, links] = await Promise.all([this.addresses(), this.links()]);
    const names = new Map(links.map((l) => [l.index, l.name]));
    const remove = async (entry: AddressEntry): Promise<StaleRemoval> => {
      const link = names.get(entry.index) ?? `#${entry.index}`;
      try {
        return { entry, link, outcome: await this.removeAt(entry, entry.index, describeRequest({ ...entry, link })), error: null };
      } catch (error) {
        return { entry, link, outcome: null, error };
      }
    };
    // Secondaries first, then primaries: removing a primary takes its subnet's secondaries with it.
    const stale = staleAddresses(entries, rule);
    const secondaries = stale.filter((a) => (a.flags & IFA_F.SECONDARY) !== 0);
    const primaries = stale.filter((a) => (a.flags & IFA_F.SECONDARY) === 0);
    const out = await Promise.all(secondaries.map(remove));
    out.push(...(await Promise.all(primaries.map(remove))));
    return out;
  }
}
