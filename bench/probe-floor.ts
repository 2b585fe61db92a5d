/**
 * The floor under nanny-scale: the same TCP send/expect checks at the same rate, made by the
 * addon's prober alone (no pool, monitor, judge or deadline), so what it costs is the kernel's
 * TCP work plus the least user-space work a check can take. Spawned by nanny-scale.ts, which
 * measures its CPU; it runs until stdin closes. argv: port servers.
 */
import { ProbeTransport } from '../src/check/tcp-probe.js';
import { benchAddress } from './nanny-address.js';

const port = Number(process.argv[2]);
const servers = Number(process.argv[3]);
const transport = new ProbeTransport();
const send = Buffer.from('PING\n');
const expect = Buffer.from('PONG');
let ok = 0;
let failed = 0;

function check(i: number): void {
  const connection = transport.open(benchAddress(i), port, send, expect.length, {
    connected: () => undefined,
    written: () => undefined,
    data: (chunk) => {
      if (Buffer.compare(chunk, expect) === 0) ok++;
      else failed++;
      connection.close();
    },
    end: () => connection.close(),
    error: () => {
      failed++;
      connection.close();
    },
  });
}

const t0 = performance.now();
let started = 0;
const pace = setInterval(() => {
  const due = Math.floor(((performance.now() - t0) / 1000) * servers);
  while (started < due) check(started++ % servers);
}, 1);
process.stdin.resume();
process.stdin.on('end', () => {
  clearInterval(pace);
  process.stdout.write(`${JSON.stringify({ ok, failed })}\n`);
  process.exit(0);
});
