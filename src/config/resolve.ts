/**
 * Host-name resolution for lvs.cf values written as names: piranha resolved them with
 * gethostbyname (IPv4, first address) while parsing; we do it as a separate, injectable step.
 */
import { PiranhaError, syntaxError, type Diagnostic } from './diagnostic.js';
import type { AddressDevice, HostAddress, LvsConfig, VirtualService } from './model.js';
import type { BlockSource, SourceMap } from './parser.js';

/** HostLookup resolves a name to an IPv4 address, or null when it cannot. */
export type HostLookup = (name: string) => Promise<string | null>;

/** ResolveResult is the configuration with names resolved, and the names that failed. */
export interface ResolveResult {
  readonly config: LvsConfig;
  readonly diagnostics: readonly Diagnostic[];
}

const unresolved = (h: HostAddress | null): boolean => h !== null && h.ip === null;

/** namesHost tells whether a virtual service (or one of its servers) is written with a host name. */
function namesHost(v: VirtualService): boolean {
  return unresolved(v.address?.host ?? null) || unresolved(v.master) || v.servers.some((s) => unresolved(s.address));
}

/**
 * resolveHosts fills in the IP of every host name in a configuration, each distinct name looked
 * up once. Parts without host names are returned as they are (the same objects), so that a
 * configuration written with literals costs nothing here and keeps its identity.
 */
export async function resolveHosts(config: LvsConfig, sources: SourceMap, lookup: HostLookup): Promise<ResolveResult> {
  const cache = new Map<string, Promise<string | null>>();
  const diagnostics: Diagnostic[] = [];
  const resolve = async (h: HostAddress | null, src: BlockSource, key: string): Promise<HostAddress | null> => {
    if (h === null || h.ip !== null) return h;
    let pending = cache.get(h.text);
    if (pending === undefined) {
      pending = lookup(h.text).catch(() => null);
      cache.set(h.text, pending);
    }
    const ip = await pending;
    if (ip === null) {
      const pos = src.keys.get(key);
      diagnostics.push(syntaxError(PiranhaError.BAD_ARGUMENT, pos?.line ?? src.line, pos?.col ?? 1, `cannot resolve host name '${h.text}'`));
      return h;
    }
    return { text: h.text, ip, family: 4 };
  };
  const resolveDevice = async (a: AddressDevice | null, src: BlockSource, key: string): Promise<AddressDevice | null> =>
    a === null || !unresolved(a.host) ? a : { host: (await resolve(a.host, src, key)) as HostAddress, device: a.device };

  const g = config.global;
  const gs = sources.global;
  const global = [g.primary, g.primaryPrivate, g.backup, g.backupPrivate, g.natRouter?.host ?? null].some(unresolved)
    ? {
        ...g,
        primary: await resolve(g.primary, gs, 'primary'),
        primaryPrivate: await resolve(g.primaryPrivate, gs, 'primary_private'),
        backup: await resolve(g.backup, gs, 'backup'),
        backupPrivate: await resolve(g.backupPrivate, gs, 'backup_private'),
        natRouter: await resolveDevice(g.natRouter, gs, 'nat_router'),
      }
    : g;
  const services = async (list: LvsConfig['virtuals'], srcs: SourceMap['virtuals']): Promise<LvsConfig['virtuals']> => {
    if (!list.some(namesHost)) return list;
    return Promise.all(
      list.map(async (v, i) => {
        if (!namesHost(v)) return v;
        const src = srcs[i] ?? { line: 0, keys: new Map(), servers: [] };
        return {
          ...v,
          address: await resolveDevice(v.address, src, 'address'),
          master: await resolve(v.master, src, 'master'),
          servers: await Promise.all(
            v.servers.map(async (s, j) => (unresolved(s.address) ? { ...s, address: await resolve(s.address, src.servers[j] ?? src, 'address') } : s)),
          ),
        };
      }),
    );
  };
  const virtuals = await services(config.virtuals, sources.virtuals);
  const failovers = await services(config.failovers, sources.failovers);
  const same = global === g && virtuals === config.virtuals && failovers === config.failovers;
  return { config: same ? config : { global, virtuals, failovers }, diagnostics };
}
