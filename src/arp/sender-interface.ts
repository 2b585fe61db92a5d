/**
 * The contract between whoever announces a floating address (pulse's announcer, send_arp) and
 * whatever puts the announcement on the wire (the native AF_PACKET sender, or a recording fake
 * in tests). Types only.
 */

/**
 * ArpSender sends one gratuitous announcement of an address that this host now owns.
 *
 * For IPv4 that is piranha's send_arp frame (reference piranha.md §5): an ARP reply broadcast
 * to ff:ff:ff:ff:ff:ff whose sender and target are both `ip`/`mac`. For IPv6 it is an
 * unsolicited neighbour advertisement. One call sends one announcement; repeating it `count`
 * times is the caller's business.
 */
export interface ArpSender {
  /**
   * announce sends one announcement of `ip` with hardware address `mac` out of `device`.
   *
   * @param device the interface name without alias suffix (`eth0`, never `eth0:1`).
   * @param ip the address as text: a dotted quad, or IPv6 text.
   * @param mac the interface's hardware address as six colon-separated hex bytes
   *   (`52:54:00:12:34:56`; implementations accept either case).
   * @returns a promise that settles once the frame was handed to the kernel, or rejects with
   *   the reason it could not be sent.
   */
  announce(device: string, ip: string, mac: string): Promise<void>;
}
