/**
 * Which addresses are ours, and so stale when pulse starts (piranha never cleaned them:
 * reference piranha.md §7.2 item 14). Pure.
 *
 * The rule: an address is lvs-director's when
 *   1. it carries IFA_PROTO = LVS_ADDRESS_PROTO (every VIP we add is marked so; Linux 5.18+
 *      keeps the mark, older kernels drop it silently), or
 *   2. it is IPv4 and its label is one of the configured alias devices (`eth0:1`): the labels
 *      piranha's `ifconfig eth0:1 IP up` left behind, which pulse would take down anyway on
 *      deactivation. Only alias labels (with a colon) count: an address labelled as its link
 *      (`eth0`) is the machine's own unless it carries our mark.
 * IPv6 addresses have no labels, so on a kernel without IFA_PROTO an IPv6 VIP left by a crash is
 * not recognised (the same VIP is found present, 'present', when pulse brings it up again).
 */
import { LVS_ADDRESS_PROTO, IFA_F } from './constants.js';
import type { AddressEntry } from './types.js';

/** OwnershipRule says what marks an address as ours. */
export interface OwnershipRule {
  /** aliasLabels are the configured alias devices (`eth0:1`); names without a colon are ignored. */
  readonly aliasLabels: Iterable<string>;
  /** proto is our IFA_PROTO mark (default LVS_ADDRESS_PROTO). */
  readonly proto?: number;
}

/** isOurs applies the rule to one address. */
export function isOurs(a: AddressEntry, rule: OwnershipRule): boolean {
  if (a.proto !== 0 && a.proto === (rule.proto ?? LVS_ADDRESS_PROTO)) return true;
  if (a.family !== 4 || a.label === null || !a.label.includes(':')) return false;
  for (const label of rule.aliasLabels) if (label === a.label) return true;
  return false;
}

/**
 * staleAddresses picks our addresses out of a dump, secondaries first: removing an IPv4 primary
 * takes its subnet's secondaries with it (unless net.ipv4.conf.*.promote_secondaries is set), so
 * they are removed one by one before it.
 */
export function staleAddresses(entries: readonly AddressEntry[], rule: OwnershipRule): AddressEntry[] {
  const ours = entries.filter((a) => isOurs(a, rule));
  const secondary = (a: AddressEntry): number => ((a.flags & IFA_F.SECONDARY) !== 0 ? 0 : 1);
  return ours.sort((a, b) => secondary(a) - secondary(b));
}
