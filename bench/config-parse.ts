/**
 * Benchmark: parse + validate a generated lvs.cf of 2,000 virtual services x 50 real servers.
 * Prints the time of the first (cold) run and of the best of several, and the peak RSS of
 * one parse + validate measured in a fresh process.
 * Targets (issue "Foundation"): parse + validate <= 0.5 s, peak RSS <= 300 MB.
 */
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { resourceUsage } from 'node:process';
import { fileURLToPath } from 'node:url';
import { parseConfig } from '../src/config/parser.js';
import { validateConfig } from '../src/config/validate.js';

const VIRTUALS = Number(process.env['BENCH_VIRTUALS'] ?? 2000);
const SERVERS = Number(process.env['BENCH_SERVERS'] ?? 50);
const RUNS = Number(process.env['BENCH_RUNS'] ?? 5);

/** generate builds a GUI-shaped lvs.cf with the given numbers of services and servers. */
export function generate(virtuals: number, servers: number): string {
  const out: string[] = [
    'serial_no = 1\nprimary = 192.0.2.1\nservice = lvs\nbackup_active = 1\nbackup = 192.0.2.2\n',
    'heartbeat = 1\nheartbeat_port = 539\nkeepalive = 2\ndeadtime = 6\nnetwork = direct\ndebug_level = NONE\n',
  ];
  for (let v = 0; v < virtuals; v++) {
    const vip = `198.${18 + (v >> 16)}.${(v >> 8) & 0xff}.${v & 0xff}`;
    out.push(
      `virtual svc${v} {\n     active = 1\n     address = ${vip} eth0:${v}\n     vip_nmask = 255.255.255.255\n     port = 80\n` +
        `     send = "GET /health HTTP/1.0\\r\\n\\r\\n"\n     expect = "HTTP"\n     load_monitor = none\n     scheduler = wlc\n` +
        `     protocol = tcp\n     timeout = 6\n     reentry = 15\n     quiesce_server = 0\n`,
    );
    for (let s = 0; s < servers; s++) {
      const n = v * servers + s;
      out.push(
        `     server rs${s} {\n         address = 10.${(n >> 16) & 0xff}.${(n >> 8) & 0xff}.${n & 0xff}\n         active = 1\n         port = 80\n         weight = 1\n     }\n`,
      );
    }
    out.push('}\n');
  }
  return out.join('');
}

/** once parses and validates one file; it is what the memory measurement runs in a fresh process. */
function once(text: string): { parseMs: number; validateMs: number } {
  const t0 = performance.now();
  const parsed = parseConfig(text);
  const t1 = performance.now();
  const findings = validateConfig(parsed.config, parsed.sources);
  const t2 = performance.now();
  const count = parsed.diagnostics.length + findings.length;
  if (count !== 0) throw new Error(`generated file has ${count} findings`);
  return { parseMs: t1 - t0, validateMs: t2 - t1 };
}

function measureMemoryInFreshProcess(): number {
  const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url)], {
    env: { ...process.env, BENCH_MODE: 'memory' },
    encoding: 'utf8',
  });
  if (child.status !== 0) throw new Error(`memory run failed: ${child.stderr}`);
  return Number(child.stdout.trim());
}

function main(): void {
  const text = generate(VIRTUALS, SERVERS);
  if (process.env['BENCH_MODE'] === 'memory') {
    once(text);
    process.stdout.write(`${resourceUsage().maxRSS / 1024}\n`);
    return;
  }
  const runs = Array.from({ length: RUNS }, () => once(text));
  const cold = runs[0] as { parseMs: number; validateMs: number };
  const best = runs.reduce((a, b) => (b.parseMs + b.validateMs < a.parseMs + a.validateMs ? b : a));
  const coldTotal = cold.parseMs + cold.validateMs;
  const bestTotal = best.parseMs + best.validateMs;
  const peakRssMb = measureMemoryInFreshProcess();
  const verdict = (ok: boolean): string => (ok ? 'MET' : 'MISSED');
  console.log(`config-parse: ${VIRTUALS} virtual services x ${SERVERS} real servers, ${(text.length / 1e6).toFixed(1)} MB of lvs.cf`);
  console.log(`  first run (cold)   parse ${cold.parseMs.toFixed(0)} ms + validate ${cold.validateMs.toFixed(0)} ms = ${coldTotal.toFixed(0)} ms   target <= 500 ms   ${verdict(coldTotal <= 500)}`);
  console.log(`  best of ${RUNS} (warm)    parse ${best.parseMs.toFixed(0)} ms + validate ${best.validateMs.toFixed(0)} ms = ${bestTotal.toFixed(0)} ms`);
  console.log(`  peak RSS, one parse + validate in a fresh process (text included): ${peakRssMb.toFixed(0)} MB   target <= 300 MB   ${verdict(peakRssMb <= 300)}`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
