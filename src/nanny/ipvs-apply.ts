/**
 * How a stand-alone nanny (`--lvs`) applies its real server to IPVS itself, as the original did
 * with ipvsadm -a/-e/-d, but converging instead of dying: an add that finds the entry there edits
 * it, an edit of a vanished entry adds it back, a delete of a missing entry is already done. (The
 * original exited on any failing ipvsadm, and with hard_shutdown took the director down.)
 */
import type { IpvsClient } from '../ipvs/client.js';
import { IpvsError } from '../ipvs/errors.js';
import { hostPort, type Destination, type DestinationKey, type ForwardingMethod, type ServiceKey } from '../ipvs/types.js';
import type { MonitorAction } from './monitor.js';

/** TableAction is the part of a monitor's actions that changes the table. */
export type TableAction = Extract<MonitorAction, { type: 'add' | 'set-weight' | 'delete' }>;

/** Applier performs table actions for one real server. */
export type Applier = (action: TableAction) => Promise<void>;

function destination(d: DestinationKey, forwarding: ForwardingMethod, weight: number): Destination {
  return { ...d, forwarding, weight, upperThreshold: 0, lowerThreshold: 0, tunnelType: 'ipip', tunnelPort: 0, tunnelFlags: 0 };
}

const isCode = (e: unknown, code: string): boolean => e instanceof IpvsError && e.code === code;

/** ipvsApplier applies actions through the IPVS client. */
export function ipvsApplier(client: IpvsClient, key: ServiceKey, dest: DestinationKey, forwarding: ForwardingMethod): Applier {
  return async (action) => {
    switch (action.type) {
      case 'add':
      case 'set-weight': {
        const d = destination(dest, forwarding, action.weight);
        const first = action.type === 'add' ? client.addDestination.bind(client) : client.editDestination.bind(client);
        const second = action.type === 'add' ? client.editDestination.bind(client) : client.addDestination.bind(client);
        try {
          await first(key, d);
        } catch (e) {
          if (!isCode(e, action.type === 'add' ? 'EEXIST' : 'ENOENT')) throw e;
          await second(key, d);
        }
        return;
      }
      case 'delete':
        try {
          await client.deleteDestination(key, dest);
        } catch (e) {
          if (!isCode(e, 'ENOENT')) throw e;
        }
    }
  };
}

/** testStartApplier only says what it would do, as ipvsadm command lines (nanny --test-start). */
export function testStartApplier(key: ServiceKey | null, dest: DestinationKey, forwarding: ForwardingMethod, say: (line: string) => void): Applier {
  const service = key === null ? '(no virtual service given)' : 'fwmark' in key ? `-f ${key.fwmark}` : `${key.protocol === 'udp' ? '-u' : '-t'} ${hostPort(key.address, key.port)}`;
  const flag = forwarding === 'droute' ? '-g' : forwarding === 'tunnel' ? '-i' : '-m';
  const server = hostPort(dest.address, dest.port);
  return (action) => {
    if (action.type === 'delete') say(`test-start: would run: ipvsadm -d ${service} -r ${server}`);
    else say(`test-start: would run: ipvsadm ${action.type === 'add' ? '-a' : '-e'} ${service} -r ${server} ${flag} -w ${action.weight}`);
    return Promise.resolve();
  };
}
