/**
 * Ethernet (MAC) addresses as text, the way piranha's send_arp reads them, and back.
 */
import { ETH_ALEN } from './constants.js';

/** BROADCAST_MAC is ff:ff:ff:ff:ff:ff. */
export const BROADCAST_MAC: Uint8Array = new Uint8Array(ETH_ALEN).fill(0xff);

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const lower = c | 0x20;
  if (lower >= 97 && lower <= 102) return lower - 97 + 10;
  return -1;
}

/**
 * parseMac reads a MAC address with send_arp's rules: six pairs of hex digits, case-insensitive,
 * each pair optionally followed by one ':'. So `00E081AB12CD`, `00:e0:81:ab:12:cd` and
 * `00e0:81ab:12cd` are all accepted. As in the original, anything after the sixth pair is
 * ignored. It returns the six bytes, or null when the text is not such an address.
 */
export function parseMac(text: string): Uint8Array | null {
  const out = new Uint8Array(ETH_ALEN);
  let i = 0;
  for (let b = 0; b < ETH_ALEN; b++) {
    const hi = hexValue(text.charCodeAt(i));
    const lo = hexValue(text.charCodeAt(i + 1));
    if (hi < 0 || lo < 0) return null;
    out[b] = (hi << 4) | lo;
    i += 2;
    if (text.charCodeAt(i) === 58) i++;
  }
  return out;
}

/** formatMac renders six bytes as lower-case colon-separated text (`02:00:5e:00:00:01`). */
export function formatMac(mac: Uint8Array): string {
  checkMac(mac);
  return Array.from(mac, (b) => b.toString(16).padStart(2, '0')).join(':');
}

/** checkMac throws a TypeError unless `mac` is exactly six bytes. */
export function checkMac(mac: Uint8Array, what = 'MAC address'): void {
  if (!(mac instanceof Uint8Array) || mac.length !== ETH_ALEN) throw new TypeError(`${what} must be ${ETH_ALEN} bytes`);
}
