/**
 * IP address text <-> bytes, without I/O: dotted quads and RFC 5952 IPv6 text.
 */

/** IpFamily is 4 or 6. */
export type IpFamily = 4 | 6;

/** ipFamily returns 4 or 6 for an address literal, or null. */
export function ipFamily(s: string): IpFamily | null {
  if (parseIPv4Bytes(s) !== null) return 4;
  if (parseIPv6Bytes(s) !== null) return 6;
  return null;
}

function parseIPv4Bytes(s: string): Uint8Array | null {
  const n = s.length;
  if (n < 7 || n > 15) return null;
  const out = new Uint8Array(4);
  let part = 0;
  let value = 0;
  let digits = 0;
  for (let i = 0; i <= n; i++) {
    const c = i === n ? 46 : s.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || value > 255 || part > 3) return null;
      out[part++] = value;
      value = 0;
      digits = 0;
      continue;
    }
    const d = c - 48;
    if (d < 0 || d > 9 || (digits === 1 && value === 0)) return null;
    value = value * 10 + d;
    digits++;
  }
  return part === 4 ? out : null;
}

function parseIPv6Bytes(s: string): Uint8Array | null {
  if (!/^[0-9a-fA-F:.]+$/.test(s) || s.length < 2) return null;
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const groups = (text: string): number[] | null => {
    if (text === '') return [];
    const out: number[] = [];
    const parts = text.split(':');
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i] as string;
      if (i === parts.length - 1 && p.includes('.')) {
        const v4 = parseIPv4Bytes(p);
        if (v4 === null) return null;
        out.push(((v4[0] as number) << 8) | (v4[1] as number), ((v4[2] as number) << 8) | (v4[3] as number));
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(p)) return null;
        out.push(parseInt(p, 16));
      }
    }
    return out;
  };
  const head = groups(halves[0] as string);
  const tail = halves.length === 2 ? groups(halves[1] as string) : [];
  if (head === null || tail === null) return null;
  const missing = 8 - head.length - tail.length;
  if ((halves.length === 2 && missing < 1) || (halves.length === 1 && missing !== 0)) return null;
  const all = [...head, ...Array<number>(halves.length === 2 ? missing : 0).fill(0), ...tail];
  const out = new Uint8Array(16);
  all.forEach((g, i) => {
    out[2 * i] = g >> 8;
    out[2 * i + 1] = g & 0xff;
  });
  return out;
}

/** ipToBytes returns the network-order bytes of an address literal (4 or 16), or throws. */
export function ipToBytes(s: string): Uint8Array {
  const b = parseIPv4Bytes(s) ?? parseIPv6Bytes(s);
  if (b === null) throw new TypeError(`not an IP address: ${JSON.stringify(s)}`);
  return b;
}

/** bytesToIp renders 4 bytes as a dotted quad, or the first 16 bytes as RFC 5952 IPv6 text. */
export function bytesToIp(bytes: Uint8Array, family: IpFamily): string {
  if (family === 4) return `${bytes[0] ?? 0}.${bytes[1] ?? 0}.${bytes[2] ?? 0}.${bytes[3] ?? 0}`;
  const groups = Array.from({ length: 8 }, (_, i) => ((bytes[2 * i] ?? 0) << 8) | (bytes[2 * i + 1] ?? 0));
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) [bestStart, bestLen] = [i, j - i];
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

/** canonicalIp returns the canonical text of an address literal, or throws. */
export function canonicalIp(s: string): string {
  const family = ipFamily(s);
  if (family === null) throw new TypeError(`not an IP address: ${JSON.stringify(s)}`);
  return bytesToIp(ipToBytes(s), family);
}
