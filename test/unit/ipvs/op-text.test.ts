import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseIpvsadmArgs } from '../../../src/ipvs/ipvsadm-args.js';
import { describeOp } from '../../../src/ipvs/op-text.js';
import type { IpvsOp } from '../../../src/ipvs/reconcile.js';
import type { Destination, Service, ServiceKey } from '../../../src/ipvs/types.js';

const tcp: ServiceKey = { family: 4, protocol: 'tcp', address: '10.0.0.1', port: 80 };
const service = (more: Partial<Service> = {}): Service => ({ key: tcp, scheduler: 'wlc', flags: 0, timeout: 0, netmask: 0xffffffff, persistenceEngine: null, ...more });
const dest = (more: Partial<Destination> = {}): Destination => ({ address: '10.0.0.2', port: 80, family: 4, forwarding: 'masq', weight: 1, upperThreshold: 0, lowerThreshold: 0, tunnelType: 'ipip', tunnelPort: 0, tunnelFlags: 0, ...more });

const CASES: Array<[IpvsOp, string, string]> = [
  [{ kind: 'edit-service', service: service() }, 'edit-service -t 10.0.0.1:80 -s wlc', '-E'],
  [{ kind: 'add-service', service: service({ scheduler: 'rr', flags: 1, timeout: 300, netmask: 0xffffff00 }) }, 'add-service -t 10.0.0.1:80 -s rr -p 300 -M 255.255.255.0', '-A'],
  [{ kind: 'add-service', service: service({ key: { family: 6, fwmark: 7 }, netmask: 128 }) }, 'add-service -f 7 -6 -s wlc', '-A'],
  [{ kind: 'delete-service', key: { family: 4, protocol: 'udp', address: '10.0.0.1', port: 53 } }, 'delete-service -u 10.0.0.1:53', '-D'],
  [{ kind: 'add-destination', key: tcp, destination: dest() }, 'add-destination -t 10.0.0.1:80 -r 10.0.0.2:80 -m -w 1', '-a'],
  [{ kind: 'edit-destination', key: tcp, destination: dest({ forwarding: 'droute', weight: 0 }) }, 'edit-destination -t 10.0.0.1:80 -r 10.0.0.2:80 -g -w 0', '-e'],
  [{ kind: 'edit-destination', key: tcp, destination: dest({ address: 'fd00::2', family: 6, forwarding: 'tunnel', tunnelType: 'gue', tunnelPort: 6080, tunnelFlags: 1 }) }, 'edit-destination -t 10.0.0.1:80 -r [fd00::2]:80 -i -w 1 --tun-type gue --tun-port 6080 --tun-csum', '-e'],
  [{ kind: 'delete-destination', key: tcp, destination: { address: '10.0.0.2', port: 8080, family: 4 } }, 'delete-destination -t 10.0.0.1:80 -r 10.0.0.2:8080', '-d'],
];

describe('describeOp', () => {
  it('names each operation and gives the ipvsadm arguments that do the same', () => {
    for (const [op, text] of CASES) assert.equal(describeOp(op), text);
  });

  it('gives arguments ipvsadm reads back as the same operation', () => {
    for (const [op, text, command] of CASES) {
      const parsed = parseIpvsadmArgs([command, ...text.split(' ').slice(1)]);
      const expected = op.kind === 'add-destination' || op.kind === 'edit-destination' || op.kind === 'delete-destination' ? { ...op, kind: op.kind.replace('destination', 'server') } : op;
      assert.deepEqual(parsed, expected, text);
    }
  });
});
