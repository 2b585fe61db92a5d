/**
 * Who may send us heartbeats: piranha accepts a heartbeat on either channel only when its
 * source address is the partner's public or private address (piranha.md §2.3); anything else
 * is ignored ("Unexpected heartbeat from <ip>", logged with -v). The source port is not checked.
 */
import { heartbeatAddresses, isUnset } from '../config/effective.js';
import type { GlobalSettings, HostAddress } from '../config/model.js';
import { parseIPv6 } from '../config/values.js';

/** PartnerAddresses are the partner's public and private heartbeat addresses (IP literals), null when unknown. */
export interface PartnerAddresses {
  readonly public: string | null;
  readonly private: string | null;
}

/**
 * partnerAddresses returns the partner of a director in the given role: the backup's addresses
 * for the master, the primary's for the backup, with piranha's private-address defaulting.
 * Addresses must be resolved (resolveHosts) first; an unresolved host name or 0.0.0.0 gives null.
 */
export function partnerAddresses(g: GlobalSettings, role: 'master' | 'backup'): PartnerAddresses {
  const hb = heartbeatAddresses(g);
  return role === 'master'
    ? { public: literal(hb.backup), private: literal(hb.backupPrivate) }
    : { public: literal(hb.primary), private: literal(hb.primaryPrivate) };
}

/**
 * isPartnerAddress tells whether a datagram's source address (as node:dgram reports it) is one
 * of the partner's. IPv4-mapped IPv6 sources (`::ffff:192.0.2.1`, from a dual-stack socket)
 * match their IPv4 address; IPv6 is compared in canonical form, without a zone (`%eth0`).
 */
export function isPartnerAddress(from: string, partner: PartnerAddresses): boolean {
  const source = canonical(from);
  if (source === null) return false;
  return [partner.public, partner.private].some((p) => p !== null && canonical(p) === source);
}

function literal(h: HostAddress | null): string | null {
  return h === null || h.ip === null || isUnset(h) ? null : h.ip;
}

/** canonical returns the comparable form of an IP literal, or null for anything else (and for 0.0.0.0 or ::). */
function canonical(address: string): string | null {
  const withoutZone = address.split('%')[0] ?? '';
  if (/^[\d.]+$/.test(withoutZone)) {
    // Only canonical dotted quads: node reports sources so, and the parser stores partners so.
    const octets = withoutZone.split('.');
    const valid = octets.length === 4 && octets.every((o) => /^(0|[1-9]\d{0,2})$/.test(o) && Number(o) <= 255);
    return valid && withoutZone !== '0.0.0.0' ? withoutZone : null;
  }
  const v6 = parseIPv6(withoutZone);
  if (v6 === null || v6 === '::') return null;
  // The URL parser writes an IPv4-mapped address in hex: ::ffff:c000:201 is 192.0.2.1.
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(v6);
  if (mapped === null) return v6;
  const high = parseInt(mapped[1] as string, 16);
  const low = parseInt(mapped[2] as string, 16);
  return canonical(`${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`);
}
