/**
 * monitor_links (reference piranha.md §2.4): the links that carry this node's heartbeat addresses
 * are watched, and a link that is administratively down or has no carrier is a link failure.
 * piranha polled ETHTOOL_GLINK once per loop; here link notifications arrive from the kernel as
 * they happen. As in piranha, an address that is on no interface counts as up.
 */
import type { AddressEntry } from '../link/types.js';
import { LinkWatch, type LinkSource } from '../link/events.js';
import type { LinkEvent } from '../link/types.js';
import type { Logger } from '../log.js';
import type { ChannelSpec } from './channels.js';

/** MonitoredLink is a link to watch and the name piranha's log gives it. */
export interface MonitoredLink {
  readonly name: 'Primary' | 'Private';
  readonly index: number;
}

/** monitoredLinks finds the interfaces of the channels' local addresses. */
export function monitoredLinks(specs: readonly ChannelSpec[], addresses: readonly AddressEntry[]): MonitoredLink[] {
  const out: MonitoredLink[] = [];
  for (const s of specs) {
    const entry = addresses.find((a) => a.address === s.local);
    if (entry !== undefined) out.push({ name: s.name === 'public' ? 'Primary' : 'Private', index: entry.index });
  }
  return out;
}

/** downLinks lists, in order, the monitored links whose last state is down. */
export function downLinks(links: readonly MonitoredLink[], state: ReadonlyMap<number, LinkEvent>): string[] {
  const out: string[] = [];
  for (const l of links) {
    const e = state.get(l.index);
    if (e !== undefined && (e.removed || !e.up || !e.carrier) && !out.includes(l.name)) out.push(l.name);
  }
  return out;
}

/** watchLinks reports the down links at start and whenever the set changes. */
export async function watchLinks(
  routes: LinkSource & { addresses(): Promise<AddressEntry[]> },
  specs: readonly ChannelSpec[],
  onChange: (down: readonly string[]) => void,
  log: Logger,
): Promise<{ close(): void }> {
  const links = monitoredLinks(specs, await routes.addresses());
  const watch = LinkWatch.watch({ source: routes });
  let last = '';
  const report = (): void => {
    const down = downLinks(links, watch.state());
    const key = down.join(',');
    if (key === last) return;
    last = key;
    onChange(down);
  };
  watch.on(report);
  watch.onError((e) => log.info(`link monitoring: ${e.message}`));
  await watch.ready;
  report();
  return watch;
}
