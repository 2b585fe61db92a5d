/**
 * Benchmark: parse + validate a generated lvs.cf of 2,000 virtual services x 50 real servers.
 * Prints the time of each phase (best of several runs) and the process's peak RSS.
 * Targets (issue "Foundation"): parse + validate <= 0.5 s, peak RSS <= 300 MB.
 */
import { performance } from 'node:perf_hooks';
import { resourceUsage } from 'node:process';
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

function main(): void {
  const text = generate(VIRTUALS, SERVERS);
  let bestParse = Infinity;
  let bestValidate = Infinity;
  let diagnostics = 0;
  for (let run = 0; run < RUNS; run++) {
    const t0 = performance.now();
    const parsed = parseConfig(text);
    const t1 = performance.now();
    const findings = validateConfig(parsed.config, parsed.sources);
    const t2 = performance.now();
    bestParse = Math.min(bestParse, t1 - t0);
    bestValidate = Math.min(bestValidate, t2 - t1);
    diagnostics = parsed.diagnostics.length + findings.length;
    if (diagnostics !== 0) throw new Error(`generated file has ${diagnostics} findings`);
  }
  const peakRssMb = resourceUsage().maxRSS / 1024;
  const total = bestParse + bestValidate;
  console.log(`config-parse: ${VIRTUALS} virtual services x ${SERVERS} real servers, ${(text.length / 1e6).toFixed(1)} MB of lvs.cf`);
  console.log(`  parse     ${bestParse.toFixed(0)} ms (best of ${RUNS})`);
  console.log(`  validate  ${bestValidate.toFixed(0)} ms`);
  console.log(`  total     ${total.toFixed(0)} ms   target <= 500 ms   ${total <= 500 ? 'MET' : 'MISSED'}`);
  console.log(`  peak RSS  ${peakRssMb.toFixed(0)} MB   target <= 300 MB   ${peakRssMb <= 300 ? 'MET' : 'MISSED'}`);
}

if (process.argv[1]?.endsWith("config-parse.js")) main();
