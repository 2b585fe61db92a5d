/**
 * A recording ArpSender for tests, in the style of nltest: the "link" is a function that sees
 * each announcement (with the exact frames the real sender would send) and may fail it.
 * Nothing leaves the process. Each fake is its own object, so tests can run in parallel.
 */
import { canonicalIp } from '../net/address.js';
import { formatMac } from '../arp/mac.js';
import { SystemCallError } from '../native/packet.js';
import { announcementFrames, macBytes, type AnnounceMode, type AnnounceOptions, type ArpSender } from '../arp/sender.js';

/** Announcement is one recorded call of announce. */
export interface Announcement {
  readonly device: string;
  /** ip is the canonical text of the address. */
  readonly ip: string;
  /** mac is lower-case colon-separated text. */
  readonly mac: string;
  readonly mode: AnnounceMode;
  /** frames are the bytes the native sender would have sent, in order. */
  readonly frames: readonly Uint8Array[];
}

/** LinkFunc is a fake link: it sees each announcement and may throw or reject to fail it. */
export type LinkFunc = (announcement: Announcement) => void | Promise<void>;

/** FakeArpSender records announcements and hands them to a LinkFunc (by default: accept all). */
export class FakeArpSender implements ArpSender {
  /** announcements are the calls that reached the link, failed ones included, in order. */
  readonly announcements: Announcement[] = [];
  private closed = false;

  constructor(private readonly link: LinkFunc = () => undefined) {}

  /** isClosed says whether close was called. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** announce checks its arguments like the real sender, records the call, then runs the link. */
  async announce(device: string, ip: string, mac: Uint8Array | string, mode: AnnounceMode = 'reply', options: AnnounceOptions = {}): Promise<void> {
    const frames = announcementFrames(ip, mac, mode, options);
    if (this.closed) throw SystemCallError.fromCode(`send on ${device}`, 'sendto', 'EBADF', 'the packet socket is closed');
    const announcement: Announcement = { device, ip: canonicalIp(ip), mac: formatMac(macBytes(mac)), mode, frames };
    this.announcements.push(announcement);
    await this.link(announcement);
  }

  /** close marks the sender closed; later announcements fail with EBADF as the real one does. */
  close(): void {
    this.closed = true;
  }
}

/** failDevice is a link on which sending on `device` fails with errno `code` (default ENODEV, as for a missing device). */
export function failDevice(device: string, code = 'ENODEV'): LinkFunc {
  return (a) => {
    if (a.device === device) throw SystemCallError.fromCode(`send on ${a.device}`, code === 'ENODEV' ? 'if_nametoindex' : 'sendto', code);
  };
}

/** failTimes is a link whose first `n` announcements fail with errno `code` (default ENETDOWN), then all succeed. */
export function failTimes(n: number, code = 'ENETDOWN'): LinkFunc {
  let left = n;
  return (a) => {
    if (left > 0) {
      left--;
      throw SystemCallError.fromCode(`send on ${a.device}`, 'sendto', code);
    }
  };
}
