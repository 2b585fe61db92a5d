/** Generated IPVS tables and random mutations of them, shared by reconciler tests and benchmarks. */
import { hostPort, describeService, type Destination, type Service } from '../../src/ipvs/types.js';
import type { ActualTable, DesiredTable, TableEntry } from '../../src/ipvs/reconcile.js';

/** Rng is a small deterministic generator (mulberry32), so failures can be replayed by seed. */
export class Rng {
  constructor(private state: number) {}
  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }
}

const SCHEDULERS = ['rr', 'wrr', 'lc', 'wlc', 'sh', 'dh'];

/** makeService builds service number `i` (tcp, VIP 198.18.x.y:80) with defaults. */
export function makeService(i: number): Service {
  return {
    key: { family: 4, protocol: 'tcp', address: `198.18.${(i >> 8) & 0xff}.${i & 0xff}`, port: 80 },
    scheduler: 'wlc',
    flags: 0,
    timeout: 0,
    netmask: 0xffffffff,
    persistenceEngine: null,
  };
}

/** makeDestination builds destination number `j` of service `i` (10.x.y.z:80, masq). */
export function makeDestination(i: number, j: number, weight = 1): Destination {
  const n = i * 256 + j;
  return { address: `10.${(n >> 16) & 0xff}.${(n >> 8) & 0xff}.${n & 0xff}`, port: 80, family: 4, forwarding: 'masq', weight, upperThreshold: 0, lowerThreshold: 0, tunnelType: 'ipip', tunnelPort: 0, tunnelFlags: 0 };
}

/** generateTable builds `services` services of `perService` destinations each. */
export function generateTable(services: number, perService: number): TableEntry[] {
  return Array.from({ length: services }, (_, i) => ({
    service: makeService(i),
    destinations: Array.from({ length: perService }, (_, j) => makeDestination(i, j)),
  }));
}

/** mutate returns a copy of `table` with `count` random changes of every kind the reconciler handles. */
export function mutate(table: readonly TableEntry[], rng: Rng, count: number, nextService: { n: number }): TableEntry[] {
  const out = table.map((e) => ({ service: e.service, destinations: [...e.destinations] }));
  for (let k = 0; k < count; k++) {
    const kind = rng.int(8);
    const entry = out.length > 0 ? out[rng.int(out.length)] : undefined;
    if (kind === 0 || entry === undefined) {
      const i = nextService.n++;
      out.push({ service: makeService(i), destinations: Array.from({ length: 1 + rng.int(4) }, (_, j) => makeDestination(i, j)) });
    } else if (kind === 1) {
      out.splice(out.indexOf(entry), 1);
    } else if (kind === 2) {
      entry.service = { ...entry.service, scheduler: rng.pick(SCHEDULERS) };
    } else if (kind === 3) {
      entry.service = rng.int(2) === 0 ? { ...entry.service, flags: 1, timeout: 60 + rng.int(600), netmask: 0xffffff00 } : { ...entry.service, flags: 0, timeout: 0, netmask: 0xffffffff };
    } else if (kind === 4 && entry.destinations.length > 0) {
      const at = rng.int(entry.destinations.length);
      entry.destinations[at] = { ...(entry.destinations[at] as Destination), weight: rng.int(100) };
    } else if (kind === 5) {
      const i = Number(entry.service.key.family === 4 && 'address' in entry.service.key ? entry.service.key.address.split('.')[3] : 0);
      entry.destinations.push(makeDestination(i + 1000, 100 + rng.int(150)));
    } else if (kind === 6 && entry.destinations.length > 0) {
      entry.destinations.splice(rng.int(entry.destinations.length), 1);
    } else if (entry.destinations.length > 0) {
      const at = rng.int(entry.destinations.length);
      entry.destinations[at] = { ...(entry.destinations[at] as Destination), forwarding: rng.pick(['masq', 'droute', 'tunnel'] as const), upperThreshold: 10, lowerThreshold: rng.int(10) };
    }
  }
  // Keep destination identities unique per service (the kernel holds one entry each).
  for (const e of out) e.destinations = [...new Map(e.destinations.map((d) => [hostPort(d.address, d.port), d])).values()];
  return [...new Map(out.map((e) => [describeService(e.service.key), e])).values()];
}

/** normalize turns a table into sorted plain lines, for comparing a desired table with a dump. */
export function normalize(table: DesiredTable | ActualTable): string[] {
  const lines: string[] = [];
  for (const e of table) {
    const s = e.service;
    const head = `${describeService(s.key)} ${s.scheduler} f=${s.flags} t=${s.timeout} m=${s.netmask} pe=${s.persistenceEngine ?? '-'}`;
    lines.push(head);
    for (const d of e.destinations)
      lines.push(`${head} -> ${hostPort(d.address, d.port)} ${d.forwarding} w=${d.weight} u=${d.upperThreshold} l=${d.lowerThreshold}`);
  }
  return lines.sort();
}
