/** A status input for the status and metrics tests: a configuration, its checkers' health and a kernel dump with counters. */
import type { ActualTable } from '../../src/ipvs/reconcile.js';
import type { DestinationEntry, ServiceEntry, Stats } from '../../src/ipvs/types.js';
import { serverId, type ServerHealth } from '../../src/lvsd/desired.js';
import type { StatusInput } from '../../src/lvsd/status.js';
import { parse } from './config.js';

/** STATUS_CONFIG has an active service with a sorry server and servers up, down (quiesced), inactive and unchecked, and an inactive fwmark service with a client_monitor. */
export const STATUS_CONFIG = `serial_no = 42
primary = 192.0.2.1
network = nat
hard_shutdown = 0
virtual web {
     active = 1
     address = 192.0.2.10 eth0:1
     port = 80
     scheduler = wlc
     persistent = 300
     pmask = 255.255.255.0
     sorry_server = 10.0.0.99
     quiesce_server = 1
     server a {
         address = 10.0.0.1
         active = 1
         weight = 64
     }
     server b {
         address = 10.0.0.2
         active = 1
     }
     server c {
         address = 10.0.0.3
         active = 0
     }
     server d {
         address = 10.0.0.4
         active = 1
     }
}
virtual mail {
     active = 0
     address = 192.0.2.25 eth0:2
     port = 25
     fwmark = 25
     persistent = 60
     client_monitor = /opt/check-mail
     server m {
         address = 10.0.1.1
         active = 1
     }
}
`;

/** stats makes a Stats whose fields are `base` + 1..10 (so each field is told apart). */
export function stats(base: bigint): Stats {
  return { conns: base + 1n, inpkts: base + 2n, outpkts: base + 3n, inbytes: base + 4n, outbytes: base + 5n, cps: base + 6n, inpps: base + 7n, outpps: base + 8n, inbps: base + 9n, outbps: base + 10n };
}

const T0 = Date.parse('2026-01-02T03:04:05.000Z');

/** statusInput builds the input; `kernel: false` makes the table unreadable. */
export function statusInput(options: { kernel?: boolean; sorryInTable?: boolean } = {}): StatusInput {
  const config = parse(STATUS_CONFIG).config;
  const web = config.virtuals[0]!;
  const [a, b, , d] = web.servers.map((s) => serverId(web, s));
  const health = new Map<string, ServerHealth>([
    [a!, { up: true, weight: 16, quiesced: false }],
    [b!, { up: false, weight: 0, quiesced: true }],
  ]);
  const key = { family: 4 as const, protocol: 'tcp' as const, address: '192.0.2.10', port: 80 };
  const service: ServiceEntry = { key, scheduler: 'wlc', flags: 1, timeout: 300, netmask: 0xffffff00, persistenceEngine: null, stats: stats(2n ** 60n) };
  const dest = (address: string, weight: number, base: bigint, active: number): DestinationEntry => ({
    address, port: 80, family: 4, forwarding: 'masq', weight, upperThreshold: 0, lowerThreshold: 0, tunnelType: 'ipip', tunnelPort: 0, tunnelFlags: 0,
    activeConns: active, inactiveConns: active + 1, persistentConns: active + 2, stats: stats(base),
  });
  const destinations = [dest('10.0.0.1', 16, 100n, 7), dest('10.0.0.2', 0, 200n, 0), ...(options.sorryInTable === true ? [dest('10.0.0.99', 1, 300n, 1)] : [])];
  const table: ActualTable = [{ service, destinations }];
  return {
    now: T0 + 90_500,
    startedAt: T0,
    pid: 4242,
    lvsdVersion: '9.9.9',
    configFile: '/etc/sysconfig/ha/lvs.cf',
    config,
    configLoadedAt: T0 + 1000,
    reloads: { ok: 2, failed: 1 },
    checked: new Set([a!, b!, d!]),
    health,
    history: new Map([
      [a!, { state: 'up' as const, since: T0 + 2000, reason: 'slow start' }],
      [b!, { state: 'down' as const, since: T0 + 3000, reason: 'CONNECT to 10.0.0.2:80 timed out' }],
    ]),
    checkers: [
      { name: 'checker 0', program: 'node nanny.js --multi', pid: 100, restarts: 0, servers: 2 },
      { name: 'checker 1', program: 'node nanny.js --multi', pid: null, restarts: 3, servers: 1 },
    ],
    reconcile: { runs: 12, failedOperations: 1, last: { planned: 2, applied: [], failed: [{ op: { kind: 'delete-service', key }, error: new Error('delete service tcp 192.0.2.10:80: no such service') }] } },
    table: options.kernel === false ? null : table,
    kernelError: options.kernel === false ? 'list services: the kernel has no IPVS' : null,
  };
}
