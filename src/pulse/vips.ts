/**
 * The addresses pulse brings up on activation (reference piranha.md §2.6), pure: the NAT router
 * address when `network = nat` and `nat_router` is set, then the VIP of every active virtual
 * service, each once (a VIP shared by several services is brought up by the first).
 */
import type { LvsConfig } from '../config/model.js';
import type { AddressRequest } from '../link/types.js';
import { vipRequest } from '../link/vip.js';

/** PulseAddresses are the requests in bring-up order and the alias labels pulse owns. */
export interface PulseAddresses {
  readonly requests: readonly AddressRequest[];
  /** aliasLabels are every configured device (for the stale-address rule at start-up). */
  readonly aliasLabels: readonly string[];
}

/** pulseAddresses derives the addresses of a configuration. It throws LinkError for an unusable address or device. */
export function pulseAddresses(config: LvsConfig): PulseAddresses {
  const requests: AddressRequest[] = [];
  const labels = new Set<string>();
  const seen = new Set<string>();
  const add = (ip: string | null, device: string, netmask: string | null): void => {
    labels.add(device);
    if (ip === null || seen.has(ip)) return;
    seen.add(ip);
    requests.push(vipRequest({ address: ip, device, netmask }));
  };
  const g = config.global;
  if (g.network === 'nat' && g.natRouter !== null) add(g.natRouter.host.ip, g.natRouter.device, g.natNmask);
  for (const v of config.virtuals) {
    if (v.address === null) continue;
    if (v.active) add(v.address.host.ip, v.address.device, v.vipNmask);
    else labels.add(v.address.device);
  }
  return { requests, aliasLabels: [...labels] };
}
