/**
 * Value readers with piranha 0.8.6's rules: strtol base-0 integers, 0/1 booleans,
 * inet_aton addresses, masks, ports by number or tcp service name, and nanny's escapes.
 * Each returns a tagged result; none throws and none does I/O.
 */
import { ipFamily } from '../net/address.js';

/** ValueResult is a parsed value or the reason it was refused. */
export type ValueResult<T> = { ok: true; value: T } | { ok: false; reason: string };

const ok = <T>(value: T): ValueResult<T> => ({ ok: true, value });
const bad = <T>(reason: string): ValueResult<T> => ({ ok: false, reason });

/** plainDecimal reads 1-9 decimal digits without a leading zero (the common case), or returns -1. */
function plainDecimal(s: string): number {
  const n = s.length;
  if (n === 0 || n > 9) return -1;
  const first = s.charCodeAt(0);
  if (first === 48) return n === 1 ? 0 : -1;
  let v = 0;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

const INT_MIN = -2147483648;
const INT_MAX = 2147483647;

/**
 * parseInteger reads an integer the way strtol(s, &end, 0) does, requiring the whole token:
 * optional sign, then `0x` hex, leading-`0` octal, or decimal. Values must fit a C int.
 */
export function parseInteger(s: string): ValueResult<number> {
  const plain = plainDecimal(s);
  if (plain >= 0) return ok(plain);
  const m = /^[ \t]*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/.exec(s);
  if (m === null) {
    if (/^[+-]?0[0-7]*[89]/.test(s)) return bad('a leading 0 makes the number octal, where 8 and 9 are not digits');
    if (/^[+-]?\d*\.\d+$|^[+-]?\d+\.\d*$/.test(s)) return bad('a whole number is needed here');
    return bad(s === '' ? 'the value is empty' : `'${s}' is not a whole number`);
  }
  const digits = m[2] as string;
  let n: number;
  if (/^0[xX]/.test(digits)) n = parseInt(digits.slice(2), 16);
  else if (digits.length > 1 && digits.startsWith('0')) n = parseInt(digits.slice(1), 8);
  else n = parseInt(digits, 10);
  if (m[1] === '-') n = -n;
  if (n < INT_MIN || n > INT_MAX) return bad(`${s} is out of range for a 32-bit integer`);
  return ok(n);
}

/** parseSeconds reads a whole number of seconds, or (an lvs-director extension) a decimal fraction. */
export function parseSeconds(s: string): ValueResult<{ seconds: number; fractional: boolean }> {
  const whole = parseInteger(s);
  if (whole.ok) return ok({ seconds: whole.value, fractional: false });
  if (/^\d*\.\d+$|^\d+\.\d*$/.test(s)) {
    const seconds = Number(s);
    if (seconds > INT_MAX) return bad(`${s} is out of range`);
    return ok({ seconds, fractional: true });
  }
  return bad(whole.reason);
}

/** parseBoolean reads 0 or 1 (any integer spelling of them, as piranha does). */
export function parseBoolean(s: string): ValueResult<boolean> | { ok: false; reason: string; notInteger: true } {
  const n = parseInteger(s);
  if (!n.ok) return { ok: false, reason: n.reason, notInteger: true };
  if (n.value === 0 || n.value === 1) return ok(n.value === 1);
  return bad(`${s} is neither 0 nor 1`);
}

function strtoulPart(p: string): number | null {
  if (/^0[xX][0-9a-fA-F]+$/.test(p)) return parseInt(p.slice(2), 16);
  if (/^0[0-7]*$/.test(p)) return p.length > 1 ? parseInt(p.slice(1), 8) : 0;
  if (/^[1-9][0-9]*$/.test(p)) return parseInt(p, 10);
  return null;
}

/**
 * parseInetAton reads an IPv4 address with inet_aton's rules (1 to 4 parts, each decimal,
 * octal or hex, the last filling the remaining bytes) and returns it as a dotted quad.
 */
export function parseInetAton(s: string): string | null {
  if (ipFamily(s) === 4) return s;
  if (s.length === 0 || s.length > 64) return null;
  const parts = s.split('.');
  if (parts.length > 4) return null;
  const nums: number[] = [];
  for (const p of parts) {
    const v = strtoulPart(p);
    if (v === null) return null;
    nums.push(v);
  }
  const last = nums.length - 1;
  const lastMax = [0xffffffff, 0xffffff, 0xffff, 0xff][last] as number;
  for (let i = 0; i < last; i++) if ((nums[i] as number) > 0xff) return null;
  if ((nums[last] as number) > lastMax) return null;
  let value = nums[last] as number;
  for (let i = 0; i < last; i++) value += (nums[i] as number) * 2 ** (8 * (3 - i));
  return [value >>> 24, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff].join('.');
}

/** parseIPv6 returns the canonical (RFC 5952) form of an IPv6 literal, or null. */
export function parseIPv6(s: string): string | null {
  if (!s.includes(':') || !/^[0-9a-fA-F:.]+$/.test(s) || s.length > 45) return null;
  try {
    const host = new URL(`http://[${s}]/`).hostname;
    return host.slice(1, -1);
  } catch {
    return null;
  }
}

/** isHostnameSyntax tells whether `s` could be a DNS or /etc/hosts name (resolved later). */
export function isHostnameSyntax(s: string): boolean {
  return (
    s.length > 0 &&
    s.length <= 253 &&
    /^[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_.])?$/.test(s) &&
    !/^[0-9.]+$/.test(s) &&
    !/^0[xX][0-9a-fA-F.]*$/.test(s)
  );
}

/** maskPrefixLength returns the prefix length of a contiguous dotted IPv4 mask, or null if not contiguous. */
export function maskPrefixLength(mask: string): number | null {
  const parts = mask.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) return null;
  const value = (((parts[0] as number) << 24) | ((parts[1] as number) << 16) | ((parts[2] as number) << 8) | (parts[3] as number)) >>> 0;
  const inverted = ~value >>> 0;
  if ((inverted & (inverted + 1)) !== 0) return null;
  let bits = 0;
  for (let v = value; v !== 0; v = (v << 1) >>> 0) bits++;
  return bits;
}

/** ServiceNames maps tcp service names (from /etc/services) to port numbers. */
export type ServiceNames = ReadonlyMap<string, number>;

/** parsePort reads a port as piranha does for `port` and `heartbeat_port`: an integer, else a tcp service name. */
export function parsePort(s: string, services: ServiceNames): ValueResult<{ port: number; byName: boolean }> {
  const n = parseInteger(s);
  if (n.ok) return ok({ port: n.value, byName: false });
  const named = services.get(s);
  if (named !== undefined) return ok({ port: named, byName: true });
  return bad(`'${s}' is neither a number nor a tcp service name in /etc/services`);
}

/** CHECK_ESCAPES lists the backslash escapes nanny understands in send and expect strings. */
export const CHECK_ESCAPES: Readonly<Record<string, string>> = {
  '\\': '\\',
  r: '\r',
  n: '\n',
  t: '\t',
  "'": "'",
  '"': '"',
};

/** EscapeProblem locates a backslash sequence nanny does not understand. */
export interface EscapeProblem {
  readonly offset: number;
  readonly sequence: string;
}

/** findBadEscape returns the first backslash sequence in `s` that nanny cannot convert, if any. */
export function findBadEscape(s: string): EscapeProblem | null {
  for (let i = 0; i < s.length; i++) {
    if (s[i] !== '\\') continue;
    const next = s[i + 1];
    if (next === undefined) return { offset: i, sequence: '\\' };
    if (!(next in CHECK_ESCAPES)) return { offset: i, sequence: `\\${next}` };
    i++;
  }
  return null;
}

/** unescapeCheckString converts nanny's escapes in a valid send/expect string to the bytes it means. */
export function unescapeCheckString(s: string): string {
  return s.replace(/\\(.)/gs, (_m, c: string) => CHECK_ESCAPES[c] ?? `\\${c}`);
}
