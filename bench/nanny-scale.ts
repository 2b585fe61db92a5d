/**
 * Benchmark: 10,000 real servers (distinct 127.x.y.z addresses; one listener on 0.0.0.0 answers
 * them all), interval 1 s, TCP send/expect, checked by one `nanny --multi` process. Prints its CPU
 * (percent of one core, from /proc) and peak RSS over the measuring window, then the detection
 * delay when 100 of them start resetting connections. Targets: <= 25% of one core, <= 300 MB,
 * every failure detected within one interval plus the timeout (2 s here).
 *
 * Then the floor: the same checks at the same rate by the addon's prober alone (probe-floor.ts)
 * and by a plain C epoll client (c-floor/floor.c, built here with cc when there is one),
 * measured the same way, and nanny's ratio to each. On loopback the kernel runs both ends' TCP
 * receive work in the sender's system calls, so most of a check's CPU is the kernel's whatever
 * the checker is written in.
 * BENCH_SERVERS, BENCH_SECONDS (default 60), BENCH_FLOOR_SECONDS (default 20) and BENCH_FAILING tune it.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { benchAddress } from './nanny-address.js';

const SERVERS = Number(process.env['BENCH_SERVERS'] ?? 10_000);
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 60);
const FAILING = Number(process.env['BENCH_FAILING'] ?? 100);
const FLOOR_SECONDS = Number(process.env['BENCH_FLOOR_SECONDS'] ?? 20);
const CLK_TCK = 100;

/** cpuTicks reads a process's user and system CPU time in clock ticks. */
function cpuTicks(pid: number): { user: number; system: number } {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return { user: Number(fields[11]), system: Number(fields[12]) };
}

function peakRssMb(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1] ?? 0) / 1024;
}

const refusing = new Set<string>();
const server = createServer((socket) => {
  socket.on('error', () => undefined);
  if (refusing.has(socket.localAddress ?? '')) {
    socket.resetAndDestroy();
    return;
  }
  socket.once('data', () => socket.end('PONG\n'));
});
await new Promise<void>((resolve) => server.listen(0, '0.0.0.0', resolve));
const port = String((server.address() as AddressInfo).port);

const childArgs = (process.env['BENCH_CHILD_ARGS'] ?? '').split(' ').filter((a) => a !== '');
const nanny = spawn(process.execPath, [...childArgs, fileURLToPath(new URL('../../bin/nanny.js', import.meta.url)), '--multi'], { stdio: ['pipe', 'pipe', 'inherit'] });
const pid = nanny.pid as number;
const upAt = new Map<string, number>();
const downAt = new Map<string, number>();
createInterface({ input: nanny.stdout }).on('line', (line) => {
  if (!line.includes('"type":"change"')) return;
  const e = JSON.parse(line) as { id: string; state: string };
  if (e.state === 'up') upAt.set(e.id, performance.now());
  if (e.state === 'down') downAt.set(e.id, performance.now());
});
for (let i = 0; i < SERVERS; i++)
  nanny.stdin.write(`${JSON.stringify({ op: 'add', id: benchAddress(i), options: { server: benchAddress(i), port, interval: '1', reentrytime: '1', sendString: 'PING\\n', expectString: 'PONG' } })}\n`);

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const t0 = performance.now();
while (upAt.size < SERVERS && performance.now() - t0 < 30_000) await sleep(100);
const allUpMs = performance.now() - t0;

/** measureCpu returns a process's CPU over `seconds`, in percent of one core. */
async function measureCpu(pid: number, seconds: number): Promise<{ total: number; user: number; system: number }> {
  const c0 = cpuTicks(pid);
  const w0 = performance.now();
  await sleep(seconds * 1000);
  const c1 = cpuTicks(pid);
  const wall = (performance.now() - w0) / 1000;
  const percent = (ticks: number): number => (ticks / CLK_TCK / wall) * 100;
  const user = percent(c1.user - c0.user);
  const system = percent(c1.system - c0.system);
  return { total: user + system, user, system };
}

const { total: cpuPercent, user: userPercent, system: systemPercent } = await measureCpu(pid, SECONDS);

const victims = Array.from({ length: FAILING }, (_, k) => benchAddress(Math.floor((k * SERVERS) / FAILING)));
const failAt = performance.now();
for (const v of victims) refusing.add(v);
while (victims.some((v) => !downAt.has(v)) && performance.now() - failAt < 10_000) await sleep(20);
const delays = victims.map((v) => (downAt.get(v) ?? Infinity) - failAt).sort((a, b) => a - b);
const rss = peakRssMb(pid);
nanny.stdin.end();
await new Promise((resolve) => nanny.once('exit', resolve));

refusing.clear();

/** measureFloor runs a floor client for FLOOR_SECONDS after a 3 s warm-up and returns its CPU and counts. */
async function measureFloor(command: string, args: string[]): Promise<{ total: number; user: number; system: number; ok: number; failed: number }> {
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  await sleep(3000);
  const cpu = await measureCpu(child.pid as number, FLOOR_SECONDS);
  const out = new Promise<string>((resolve) => createInterface({ input: child.stdout }).once('line', resolve));
  child.stdin.end();
  return { ...cpu, ...(JSON.parse(await out) as { ok: number; failed: number }) };
}

const floor = await measureFloor(process.execPath, [fileURLToPath(new URL('probe-floor.js', import.meta.url)), port, String(SERVERS)]);
let cFloor: Awaited<ReturnType<typeof measureFloor>> | string;
const buildDir = mkdtempSync(join(tmpdir(), 'nanny-floor-'));
try {
  const binary = join(buildDir, 'floor');
  execFileSync('cc', ['-O2', '-o', binary, fileURLToPath(new URL('../../bench/c-floor/floor.c', import.meta.url))], { stdio: 'inherit' });
  cFloor = await measureFloor(binary, [port, String(SERVERS)]);
} catch (e) {
  cFloor = `skipped: ${(e as Error).message.split('\n')[0] ?? ''}`;
} finally {
  rmSync(buildDir, { recursive: true, force: true });
}
server.close();

const worst = delays[delays.length - 1] ?? Infinity;
const verdict = (ok: boolean): string => (ok ? 'MET' : 'MISSED');
console.log(`nanny-scale: ${SERVERS} real servers, interval 1 s, TCP send/expect, one nanny --multi process`);
console.log(`  all up after                 ${allUpMs.toFixed(0)} ms (${upAt.size} up)`);
console.log(`  CPU over ${SECONDS} s               ${cpuPercent.toFixed(1)}% of one core (user ${userPercent.toFixed(1)}%, kernel ${systemPercent.toFixed(1)}%)   target <= 25%   ${verdict(cpuPercent <= 25)}`);
console.log(`  per check                    ${((cpuPercent / 100 / SERVERS) * 1e6).toFixed(0)} us of CPU (${SERVERS} checks a second)`);
console.log(`  peak RSS                     ${rss.toFixed(0)} MB   target <= 300 MB   ${verdict(rss <= 300)}`);
const floorLine = (f: typeof floor): string => `${f.total.toFixed(1)}% of one core (user ${f.user.toFixed(1)}%, kernel ${f.system.toFixed(1)}%; ${f.ok} passed, ${f.failed} failed)   nanny / this ${(cpuPercent / f.total).toFixed(2)}`;
console.log(`  floor: the prober alone      ${floorLine(floor)}`);
console.log(`  floor: a plain C client      ${typeof cFloor === 'string' ? cFloor : floorLine(cFloor)}`);
console.log(`  detection of ${FAILING} failures    median ${(delays[Math.floor(delays.length / 2)] ?? Infinity).toFixed(0)} ms, worst ${worst.toFixed(0)} ms   target <= 2000 ms   ${verdict(worst <= 2000)}`);
process.exit(0);
