/**
 * Which router this is (reference piranha.md §2.2 step 4), pure: the master is the one that has
 * the `primary` address on one of its interfaces; any other node is the backup.
 */
import type { Role } from './machine.js';

/** roleOf decides the role from the primary address and the node's own addresses. */
export function roleOf(primary: string | null, localAddresses: Iterable<string>): Role {
  if (primary === null) return 'backup';
  for (const a of localAddresses) if (a === primary) return 'master';
  return 'backup';
}

/** HeartbeatEndpoints are the local and partner addresses of the public and private channels. */
export interface HeartbeatEndpoints {
  readonly public: { readonly local: string; readonly partner: string } | null;
  readonly private: { readonly local: string; readonly partner: string } | null;
}

/**
 * heartbeatEndpoints pairs the addresses by role: the master sends from primary(_private) to
 * backup(_private), the backup the other way round. The private channel exists only when both
 * private addresses are set and differ from the public ones (piranha opened it when
 * primary_private differed from primary).
 */
export function heartbeatEndpoints(role: Role, a: { primary: string | null; primaryPrivate: string | null; backup: string | null; backupPrivate: string | null }): HeartbeatEndpoints {
  const pair = (mine: string | null, theirs: string | null): { local: string; partner: string } | null => (mine === null || theirs === null ? null : { local: mine, partner: theirs });
  const pub = role === 'master' ? pair(a.primary, a.backup) : pair(a.backup, a.primary);
  const hasPrivate = a.primaryPrivate !== null && a.backupPrivate !== null && a.primaryPrivate !== a.primary;
  const priv = !hasPrivate ? null : role === 'master' ? pair(a.primaryPrivate, a.backupPrivate) : pair(a.backupPrivate, a.primaryPrivate);
  return { public: pub, private: priv };
}
