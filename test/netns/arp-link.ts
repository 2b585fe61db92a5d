/**
 * The two-namespace link the ARP tests share: an announcer and a peer joined by a veth pair,
 * with fixed MACs and addresses that exist only inside these namespaces. The peer accepts
 * gratuitous ARP (arp_accept=1) as the issue asks, and the VIPs sit inside its connected
 * subnets, so the kernel treats our frames as gratuitous (arp_is_garp needs a unicast route).
 */
import { Netns, vethPair } from '../helpers/netns.js';

/** ANNOUNCER_MAC and PEER_MAC are set on the two ends so that frames can be compared byte for byte. */
export const ANNOUNCER_MAC = '02:1a:2b:3c:4d:5e';
export const PEER_MAC = '02:1a:2b:3c:4d:5f';
/** WRONG_MAC is what a peer's entry holds before an announcement. */
export const WRONG_MAC = '02:00:00:00:00:99';

/** TestLink is a made link; delete removes both namespaces. */
export interface TestLink {
  readonly announcer: Netns;
  readonly peer: Netns;
  /** announcerIf and peerIf are the interface names of the two ends. */
  readonly announcerIf: string;
  readonly peerIf: string;
  /** subnet4 is the first three octets of the IPv4 subnet (a /24); subnet6 the IPv6 /64 prefix ('fd00:..::'). */
  readonly subnet4: string;
  readonly subnet6: string;
  delete(): void;
}

/** makeLink builds the link; on failure it removes what it made and rethrows. */
export function makeLink(prefix: string, announcerIf: string, peerIf: string, subnet4: string, subnet6: string): TestLink {
  const made: Netns[] = [];
  const remove = (): void => {
    for (const ns of made) ns.delete();
  };
  try {
    const announcer = Netns.create(`${prefix}-a`);
    made.push(announcer);
    const peer = Netns.create(`${prefix}-p`);
    made.push(peer);
    vethPair(announcer, announcerIf, peer, peerIf);
    announcer.ip('link', 'set', announcerIf, 'address', ANNOUNCER_MAC);
    peer.ip('link', 'set', peerIf, 'address', PEER_MAC);
    announcer.ip('addr', 'add', `${subnet4}.1/24`, 'dev', announcerIf);
    peer.ip('addr', 'add', `${subnet4}.2/24`, 'dev', peerIf);
    announcer.ip('-6', 'addr', 'add', `${subnet6}1/64`, 'dev', announcerIf, 'nodad');
    peer.ip('-6', 'addr', 'add', `${subnet6}2/64`, 'dev', peerIf, 'nodad');
    peer.exec('sysctl', ['-q', '-w', `net.ipv4.conf.${peerIf}.arp_accept=1`]);
    return { announcer, peer, announcerIf, peerIf, subnet4, subnet6, delete: remove };
  } catch (e) {
    remove();
    throw e;
  }
}

/** seedNeighbour puts a stale entry with the wrong MAC for an address on the peer. */
export function seedNeighbour(link: TestLink, address: string): void {
  link.peer.ip('neigh', 'replace', address, 'lladdr', WRONG_MAC, 'dev', link.peerIf, 'nud', 'stale');
}

/** neighbourMac returns the MAC of the peer's entry for an address, or null when there is none. */
export function neighbourMac(link: TestLink, address: string): string | null {
  const entries = JSON.parse(link.peer.ip('-j', 'neigh', 'show', address, 'dev', link.peerIf)) as Array<{ lladdr?: string }>;
  return entries[0]?.lladdr ?? null;
}

/** waitForNeighbour polls the peer's entry until it holds `mac` or two seconds have passed; it returns the last value. */
export async function waitForNeighbour(link: TestLink, address: string, mac: string): Promise<string | null> {
  const deadline = Date.now() + 2000;
  for (;;) {
    const got = neighbourMac(link, address);
    if (got === mac || Date.now() > deadline) return got;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
