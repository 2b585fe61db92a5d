/**
 * Benchmark: program 5,000 services x 4 destinations into IPVS from empty with the reconciler,
 * and the same table with `ipvsadm -R`, in one run on the same (emulated) kernel; print both
 * times and the ratio (target <= 0.5). Then change one destination's weight on the full table:
 * print its time and the number of kernel write operations (target: 1). On the host (no IPVS),
 * print the userspace cost (encode + plan of the full table against the fake kernel), which
 * emulation does not distort. Run the kernel part with `npm run bench:ipvs`.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { IpvsClient } from '../src/ipvs/client.js';
import { destinationAttrs, serviceAttrs } from '../src/ipvs/codec.js';
import { applyPlan, planReconcile, readTable, reconcile, type DesiredTable } from '../src/ipvs/reconcile.js';
import { hostPort } from '../src/ipvs/types.js';
import { FakeIpvsKernel } from '../src/testing/ipvs-kernel.js';
import { dial } from '../src/testing/nltest.js';
import { generateTable } from '../test/helpers/ipvs-tables.js';

const SERVICES = Number(process.env['BENCH_SERVICES'] ?? 5000);
const PER_SERVICE = Number(process.env['BENCH_DESTS'] ?? 4);
const WINDOW = Number(process.env['BENCH_WINDOW'] ?? 256);

function saveText(table: DesiredTable): string {
  const lines: string[] = [];
  for (const { service, destinations } of table) {
    const key = service.key;
    if (!('port' in key)) throw new Error('benchmark uses tcp services only');
    const v = `-t ${hostPort(key.address, key.port)}`;
    lines.push(`-A ${v} -s ${service.scheduler}`);
    for (const d of destinations) lines.push(`-a ${v} -r ${hostPort(d.address, d.port)} -m -w ${d.weight}`);
  }
  return `${lines.join('\n')}\n`;
}

async function host(table: DesiredTable): Promise<void> {
  const t0 = performance.now();
  let bytes = 0;
  for (const { service, destinations } of table) {
    bytes += serviceAttrs(service, true).encode().length;
    for (const d of destinations) bytes += destinationAttrs(service.key, d, true).encode().length;
  }
  const t1 = performance.now();
  const plan = planReconcile(table, []);
  const t2 = performance.now();
  const kernel = new FakeIpvsKernel();
  const { connection } = dial(kernel.func, { messagesPerDatagram: 64 });
  const client = await IpvsClient.open(connection);
  const t3 = performance.now();
  const report = await applyPlan(client, plan);
  const t4 = performance.now();
  client.close();
  console.log(`host userspace (no kernel; fake kernel for apply): ${table.length} services x ${PER_SERVICE} destinations`);
  console.log(`  encode all requests  ${(t1 - t0).toFixed(0)} ms (${(bytes / 1e6).toFixed(1)} MB of attributes)`);
  console.log(`  plan from empty      ${(t2 - t1).toFixed(0)} ms, ${plan.length} operations`);
  console.log(`  apply to fake kernel ${(t4 - t3).toFixed(0)} ms, ${report.applied.length} applied (codec + connection + fake, pipelined)`);
}

const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

async function kernel(table: DesiredTable): Promise<void> {
  const client = await IpvsClient.open();
  const text = saveText(table);
  const ours: number[] = [];
  const theirs: number[] = [];
  let operations = 0;
  // Alternate the two, several rounds: emulation makes single timings swing by 2x.
  for (let round = 0; round < ROUNDS; round++) {
    await client.flush();
    const t0 = performance.now();
    const first = await reconcile(client, table, { takeAll: true, window: WINDOW });
    ours.push(performance.now() - t0);
    if (first.failed.length > 0) throw new Error(`reconcile failed: ${String(first.failed[0]?.error)}`);
    operations = first.applied.length;
    if ((await client.services()).length !== table.length) throw new Error('reconciler left a different number of services');
    await client.flush();
    const t1 = performance.now();
    execFileSync('ipvsadm', ['-R'], { input: text });
    theirs.push(performance.now() - t1);
    if ((await client.services()).length !== table.length) throw new Error('ipvsadm -R left a different number of services');
  }
  await client.flush();

  await reconcile(client, table, { takeAll: true });
  const changed = table.map((e, i) => (i === Math.floor(table.length / 2) ? { service: e.service, destinations: e.destinations.map((d, j) => (j === 0 ? { ...d, weight: d.weight + 4 } : d)) } : e));
  const t2 = performance.now();
  const actual = await readTable(client);
  const t3 = performance.now();
  const plan = planReconcile(changed, actual, { takeAll: true });
  const report = await applyPlan(client, plan);
  const t4 = performance.now();
  await client.flush();
  client.close();

  const ratio = median(ours) / median(theirs);
  const ms = (xs: number[]): string => xs.map((x) => x.toFixed(0)).join(', ');
  console.log(`kernel (one VM run, same emulated kernel for both): ${table.length} services x ${PER_SERVICE} destinations = ${table.length * (PER_SERVICE + 1)} objects, ${ROUNDS} alternating rounds`);
  console.log(`  lvs-director reconciler from empty  median ${median(ours).toFixed(0)} ms (runs: ${ms(ours)}; ${operations} operations, pipelined)`);
  console.log(`  ipvsadm -R                          median ${median(theirs).toFixed(0)} ms (runs: ${ms(theirs)})`);
  console.log(`  ratio of medians                    ${ratio.toFixed(2)}   target <= 0.5   ${ratio <= 0.5 ? 'MET' : 'MISSED'}`);
  console.log(`  one weight change on the full table: ${report.applied.length} kernel write operation(s) (${report.applied.map((o) => o.kind).join(', ')})   target 1   ${report.applied.length === 1 ? 'MET' : 'MISSED'}`);
  console.log(`    dump of the full table ${(t3 - t2).toFixed(0)} ms, plan + apply ${(t4 - t3).toFixed(1)} ms`);
}

const table = generateTable(SERVICES, PER_SERVICE);
if (existsSync('/proc/net/ip_vs')) await kernel(table);
else {
  await host(table);
  console.log('kernel part: this kernel has no IPVS; `npm run bench:ipvs` runs it in the VM');
}
