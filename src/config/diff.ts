/**
 * The configuration diff: old model versus new, as a typed change set. Virtual services are
 * matched by their IPVS identity (fwmark, or protocol + VIP + port) and real servers by
 * (address, port), so that a reload touches only what changed.
 */
import { GLOBAL_KEYWORDS, SERVER_KEYWORDS, VIRTUAL_KEYWORDS, type KeywordSpec } from './keywords.js';
import { hostKey, type LvsConfig, type RealServer, type VirtualService } from './model.js';
import { serviceIdentity } from './validate.js';

/** FieldChange is one keyword whose value differs. `key` is the lvs.cf keyword (or `name`). */
export interface FieldChange {
  readonly key: string;
  readonly before: unknown;
  readonly after: unknown;
}

/** ServerChange is a real server present in both models with different settings. */
export interface ServerChange {
  readonly key: string;
  readonly before: RealServer;
  readonly after: RealServer;
  readonly fields: readonly FieldChange[];
}

/** ServerChanges groups what happened to the real servers of one virtual service. */
export interface ServerChanges {
  readonly added: readonly RealServer[];
  readonly removed: readonly RealServer[];
  readonly changed: readonly ServerChange[];
}

/** VirtualChange is a virtual service present in both models whose settings or servers differ. */
export interface VirtualChange {
  readonly key: string;
  readonly before: VirtualService;
  readonly after: VirtualService;
  readonly fields: readonly FieldChange[];
  readonly servers: ServerChanges;
}

/** Vip is one floating address pulse brings up: address, device and netmask. */
export interface Vip {
  readonly address: string;
  readonly device: string;
  readonly netmask: string | null;
}

/** ConfigDiff is the typed change set between two configurations. */
export interface ConfigDiff {
  /** global lists changed top-level keywords. */
  readonly global: readonly FieldChange[];
  /** timers is true when keepalive, deadtime or the heartbeat port or addresses changed. */
  readonly timers: boolean;
  /** timeouts is true when an IPVS timeout changed. */
  readonly timeouts: boolean;
  /** vips lists floating addresses to add and remove (VIPs of active services and the NAT router). */
  readonly vips: { readonly added: readonly Vip[]; readonly removed: readonly Vip[] };
  readonly virtuals: {
    readonly added: readonly VirtualService[];
    readonly removed: readonly VirtualService[];
    readonly changed: readonly VirtualChange[];
  };
  /** empty is true when nothing differs. */
  readonly empty: boolean;
}

const TIMER_KEYS = new Set(['keepalive', 'deadtime', 'heartbeat_port', 'primary', 'primary_private', 'backup', 'backup_private', 'backup_active']);
const TIMEOUT_KEYS = new Set(['tcp_timeout', 'tcpfin_timeout', 'udp_timeout']);

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

function fieldChanges(specs: readonly KeywordSpec<string>[], before: object, after: object): FieldChange[] {
  const b = before as Record<string, unknown>;
  const a = after as Record<string, unknown>;
  const out: FieldChange[] = [];
  for (const spec of specs)
    if (!same(b[spec.field], a[spec.field])) out.push({ key: spec.keyword, before: b[spec.field], after: a[spec.field] });
  return out;
}

/** keyed gives each item a unique key: its identity, with `#2`, `#3` … appended to repeats. */
function keyed<T>(items: readonly T[], identity: (t: T) => string): Map<string, T> {
  const map = new Map<string, T>();
  const count = new Map<string, number>();
  for (const item of items) {
    const id = identity(item);
    const n = (count.get(id) ?? 0) + 1;
    count.set(id, n);
    map.set(n === 1 ? id : `${id}#${n}`, item);
  }
  return map;
}

/** serverIdentity is what makes two real servers the same IPVS destination: address and port. */
export function serverIdentity(s: RealServer): string {
  const a = hostKey(s.address);
  return a.includes(':') ? `[${a}]:${s.port}` : `${a}:${s.port}`;
}

function diffServers(before: readonly RealServer[], after: readonly RealServer[]): ServerChanges {
  const old = keyed(before, serverIdentity);
  const now = keyed(after, serverIdentity);
  const added: RealServer[] = [];
  const removed: RealServer[] = [];
  const changed: ServerChange[] = [];
  for (const [key, s] of now) {
    const o = old.get(key);
    if (o === undefined) added.push(s);
    else {
      const fields = fieldChanges(SERVER_KEYWORDS, o, s);
      if (o.name !== s.name) fields.unshift({ key: 'name', before: o.name, after: s.name });
      if (fields.length > 0) changed.push({ key, before: o, after: s, fields });
    }
  }
  for (const [key, s] of old) if (!now.has(key)) removed.push(s);
  return { added, removed, changed };
}

/** activeVips lists the distinct floating addresses of a configuration, as pulse brings them up. */
export function activeVips(config: LvsConfig): Vip[] {
  const out = new Map<string, Vip>();
  for (const v of config.virtuals) {
    if (!v.active || v.address === null) continue;
    const address = hostKey(v.address.host);
    if (!out.has(address)) out.set(address, { address, device: v.address.device, netmask: v.vipNmask });
  }
  const nat = config.global.natRouter;
  if (config.global.network === 'nat' && nat !== null) {
    const address = hostKey(nat.host);
    if (!out.has(address)) out.set(address, { address, device: nat.device, netmask: config.global.natNmask });
  }
  return [...out.values()];
}

/** diffConfig compares two configurations. */
export function diffConfig(before: LvsConfig, after: LvsConfig): ConfigDiff {
  // Unchanged parts of a configuration loaded incrementally are the same objects: no need to look inside.
  const global = before.global === after.global ? [] : fieldChanges(GLOBAL_KEYWORDS, before.global, after.global);
  const oldVips = keyed(activeVips(before), (v) => `${v.address} ${v.device} ${v.netmask ?? ''}`);
  const newVips = keyed(activeVips(after), (v) => `${v.address} ${v.device} ${v.netmask ?? ''}`);
  const vips = {
    added: [...newVips].filter(([k]) => !oldVips.has(k)).map(([, v]) => v),
    removed: [...oldVips].filter(([k]) => !newVips.has(k)).map(([, v]) => v),
  };

  const old = keyed(before.virtuals, serviceIdentity);
  const now = keyed(after.virtuals, serviceIdentity);
  const added: VirtualService[] = [];
  const removed: VirtualService[] = [];
  const changed: VirtualChange[] = [];
  for (const [key, v] of now) {
    const o = old.get(key);
    if (o === undefined) {
      added.push(v);
      continue;
    }
    if (o === v) continue;
    const fields = fieldChanges(VIRTUAL_KEYWORDS, o, v);
    if (o.name !== v.name) fields.unshift({ key: 'name', before: o.name, after: v.name });
    const servers = diffServers(o.servers, v.servers);
    if (fields.length > 0 || servers.added.length + servers.removed.length + servers.changed.length > 0)
      changed.push({ key, before: o, after: v, fields, servers });
  }
  for (const [key, v] of old) if (!now.has(key)) removed.push(v);

  return {
    global,
    timers: global.some((c) => TIMER_KEYS.has(c.key)),
    timeouts: global.some((c) => TIMEOUT_KEYS.has(c.key)),
    vips,
    virtuals: { added, removed, changed },
    empty: global.length === 0 && added.length === 0 && removed.length === 0 && changed.length === 0 && vips.added.length === 0 && vips.removed.length === 0,
  };
}
