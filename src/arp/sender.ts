/**
 * ArpSender: the one narrow interface through which the director announces an address on a
 * link, with the real implementation over the packet addon. A recording fake for tests lives
 * in src/testing/arp-fake.ts.
 */
import { canonicalIp, ipFamily } from '../net/address.js';
import { PacketSocket, type PacketBinding } from '../native/packet.js';
import { gratuitousArp } from './frame.js';
import { BROADCAST_MAC, parseMac } from './mac.js';
import { unsolicitedNeighborAdvertisement } from './ndp.js';
import type { ArpSender as AnnouncementSink } from './sender-interface.js';

/** AnnounceMode says which gratuitous ARP forms to send for an IPv4 address. */
export type AnnounceMode = 'reply' | 'request' | 'both';

/** ANNOUNCE_MODES lists the modes, for option parsing. */
export const ANNOUNCE_MODES: readonly AnnounceMode[] = ['reply', 'request', 'both'];

/** AnnounceOptions tune one announcement. */
export interface AnnounceOptions {
  /** destination is the Ethernet destination of ARP frames (default broadcast); IPv6 always goes to 33:33:00:00:00:01. */
  readonly destination?: Uint8Array;
  /** router sets the Router flag of IPv6 advertisements (default false). */
  readonly router?: boolean;
}

/**
 * ArpSender announces that an address now lives at a MAC on a link. For an IPv4 address it
 * sends gratuitous ARP in the form(s) `mode` names (default 'reply', piranha's frame); for an
 * IPv6 address it sends one unsolicited neighbour advertisement whatever the mode. One call
 * sends one round; callers repeat as they see fit (piranha's pulse sends 5 rounds a second
 * apart). It extends the types-only contract in sender-interface.ts that the announce service
 * is written against, so every ArpSender here can be handed to it.
 */
export interface ArpSender extends AnnouncementSink {
  /**
   * announce sends one round. `ip` is an address literal and `mac` six bytes or text that
   * parseMac accepts; both are checked before anything is sent (TypeError). Send failures
   * reject with the implementation's error (SystemCallError for the native sender).
   */
  announce(device: string, ip: string, mac: Uint8Array | string, mode?: AnnounceMode, options?: AnnounceOptions): Promise<void>;
  /** close releases the sender; later announcements fail. */
  close(): void;
}

/** macBytes returns the six bytes of a MAC given as bytes or as text, or throws a TypeError. */
export function macBytes(mac: Uint8Array | string): Uint8Array {
  const bytes = typeof mac === 'string' ? parseMac(mac) : mac;
  if (bytes === null || bytes.length !== 6) throw new TypeError(`not a MAC address: ${typeof mac === 'string' ? JSON.stringify(mac) : `${mac.length} bytes`}`);
  return bytes;
}

/**
 * announcementFrames returns the frames of one announcement, in sending order: for IPv4 the
 * request form then the reply form (as `mode` selects), for IPv6 one unsolicited neighbour
 * advertisement. It throws a TypeError for a bad address, MAC or mode.
 */
export function announcementFrames(ip: string, mac: Uint8Array | string, mode: AnnounceMode, options: AnnounceOptions = {}): Uint8Array[] {
  const family = ipFamily(ip);
  if (family === null) throw new TypeError(`not an IP address: ${JSON.stringify(ip)}`);
  if (!ANNOUNCE_MODES.includes(mode)) throw new TypeError(`announce mode must be one of ${ANNOUNCE_MODES.join(', ')}: ${String(mode)}`);
  const own = macBytes(mac);
  if (family === 6) return [unsolicitedNeighborAdvertisement(canonicalIp(ip), own, { router: options.router === true })];
  const destination = options.destination ?? BROADCAST_MAC;
  const frames: Uint8Array[] = [];
  if (mode !== 'reply') frames.push(gratuitousArp('request', ip, own, destination));
  if (mode !== 'request') frames.push(gratuitousArp('reply', ip, own, destination));
  return frames;
}

/** NativeArpSender sends announcements through one send-only AF_PACKET socket. */
export class NativeArpSender implements ArpSender {
  private constructor(private readonly socket: PacketSocket) {}

  /**
   * open makes the sender and its socket at once, so that a missing CAP_NET_RAW shows up at
   * start-up: it throws SystemCallError (syscall 'socket') or AddonNotBuiltError.
   */
  static open(binding?: PacketBinding): NativeArpSender {
    return new NativeArpSender(PacketSocket.open(binding));
  }

  /** announce sends the frames of one round; the first failure rejects with a SystemCallError. */
  announce(device: string, ip: string, mac: Uint8Array | string, mode: AnnounceMode = 'reply', options: AnnounceOptions = {}): Promise<void> {
    try {
      for (const frame of announcementFrames(ip, mac, mode, options)) this.socket.send(device, frame);
      return Promise.resolve();
    } catch (e) {
      return Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
  }

  /** close closes the socket. */
  close(): void {
    this.socket.close();
  }
}
