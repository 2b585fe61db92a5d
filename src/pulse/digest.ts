/**
 * The configuration digest each director puts in its heartbeat trailer, so that two directors
 * running different lvs.cf files notice (pulse logs a warning).
 *
 * It is the first 16 bytes of the SHA-256 of a canonical text of the *effective*
 * configuration: the model written by the lvs.cf writer, which fixes keyword order, spelling,
 * quoting and the omission of defaults, after piranha's derived values are applied
 * (`primary_private`/`backup_private` defaulting, `backup_active` without a backup, `pmask`
 * without persistence, `nat_router` outside NAT) and addresses are replaced by the IP they
 * resolved to. Left out because they do not change what the directors do: `serial_no` (the
 * GUI's counter), the keywords piranha parses but ignores (`heartbeat`, `debug_level`,
 * `sync`, `master`, `dirs`) and `heartbeat_key_file` (a local path; the key itself must never
 * be hashed into a value sent in the clear). Block order counts.
 */
import { createHash } from 'node:crypto';
import { backupIsActive, effectivePmask, heartbeatAddresses } from '../config/effective.js';
import { GLOBAL_KEYWORDS, VIRTUAL_KEYWORDS, type KeywordSpec } from '../config/keywords.js';
import {
  defaultGlobals,
  defaultVirtual,
  type AddressDevice,
  type GlobalSettings,
  type HostAddress,
  type LvsConfig,
  type VirtualService,
} from '../config/model.js';
import { writeConfig } from '../config/write.js';

/** CONFIG_DIGEST_BYTES is the length of a configuration digest. */
export const CONFIG_DIGEST_BYTES = 16;

/**
 * configDigest returns the 16-byte digest of a configuration's effective settings. Like the
 * writer it throws a WriteError for a model lvs.cf cannot express, which a parsed one never is.
 */
export function configDigest(config: LvsConfig): Uint8Array {
  const text = writeConfig(effectiveConfig(config));
  return new Uint8Array(createHash('sha256').update(text, 'utf8').digest().subarray(0, CONFIG_DIGEST_BYTES));
}

/** formatDigest renders a digest as lowercase hex, for log lines. */
export function formatDigest(d: Uint8Array): string {
  return Buffer.from(d.buffer, d.byteOffset, d.byteLength).toString('hex');
}

function effectiveConfig(config: LvsConfig): LvsConfig {
  return {
    global: effectiveGlobals(config.global),
    virtuals: config.virtuals.map(effectiveVirtual),
    failovers: config.failovers.map(effectiveVirtual),
  };
}

function effectiveGlobals(g: GlobalSettings): GlobalSettings {
  const defaults = defaultGlobals();
  const hb = heartbeatAddresses(g);
  const nat = g.network === 'nat';
  return {
    ...withoutUnused(GLOBAL_KEYWORDS, g, defaults),
    serialNo: defaults.serialNo,
    heartbeatKeyFile: defaults.heartbeatKeyFile,
    primary: host(hb.primary),
    primaryPrivate: host(hb.primaryPrivate),
    backup: host(hb.backup),
    backupPrivate: host(hb.backupPrivate),
    backupActive: backupIsActive(g),
    natRouter: nat ? addressDevice(g.natRouter) : null,
    natNmask: nat && g.natRouter !== null ? g.natNmask : null,
  };
}

function effectiveVirtual(v: VirtualService): VirtualService {
  return {
    ...withoutUnused(VIRTUAL_KEYWORDS, v, defaultVirtual(v.name)),
    address: addressDevice(v.address),
    pmask: effectivePmask(v),
    servers: v.servers.map((s) => ({ ...s, address: host(s.address) })),
  };
}

/** withoutUnused resets the keywords piranha parses but never acts on to their defaults. */
function withoutUnused<T extends object>(specs: readonly KeywordSpec<string>[], block: T, defaults: T): T {
  const out = { ...block } as Record<string, unknown>;
  const d = defaults as Record<string, unknown>;
  for (const spec of specs) if (spec.unused === true) out[spec.field] = d[spec.field];
  return out as T;
}

/** host writes an address as the IP it denotes when known; a host name is case-insensitive. */
function host(h: HostAddress | null): HostAddress | null {
  if (h === null) return null;
  return h.ip !== null ? { text: h.ip, ip: h.ip, family: h.family } : { ...h, text: h.text.toLowerCase() };
}

function addressDevice(a: AddressDevice | null): AddressDevice | null {
  return a === null ? null : { host: host(a.host) as HostAddress, device: a.device };
}
