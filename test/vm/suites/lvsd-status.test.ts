/**
 * A real lvsd's status and metrics in the NAT lab, after client traffic: the counters of the
 * status document (`lvsd --status`) and of a Prometheus scrape are those `ipvsadm -Ln --stats
 * --exact` shows for the same moment, and the scrape parses.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseExposition, type Scrape } from '../../helpers/prometheus.js';
import { ipvsadmStats, natLab, type Lab } from '../lab.js';
import { lvsdStatus, startLvsd, until, type StatusView } from '../lvsd-process.js';

const inVm = process.env['LVS_VM_GUEST'] === '1' || existsSync('/proc/net/ip_vs');
const METRICS_PORT = 9911;

const asList = (c: { connections: number; packetsIn: number; packetsOut: number; bytesIn: number; bytesOut: number } | null | undefined): string[] | undefined =>
  c === null || c === undefined ? undefined : [c.connections, c.packetsIn, c.packetsOut, c.bytesIn, c.bytesOut].map(String);

/** ipvsadmWeights reads `ipvsadm -Ln`: "10.200.0.11:80" to its weight. */
function ipvsadmWeights(text: string): Map<string, string> {
  return new Map([...text.matchAll(/-> (\S+) +\w+ +(\d+) /g)].map((m) => [m[1] as string, m[2] as string]));
}

/**
 * atOneMoment reads something between two identical ipvsadm readings of counters and weights
 * (traffic may still trickle, and under emulation a check may miss its deadline and move a
 * server), and returns those readings with it.
 */
async function atOneMoment<T>(lab: Lab, read: () => T | Promise<T>): Promise<{ table: Map<string, string[]>; weights: Map<string, string>; value: T }> {
  const reading = (): string => `${lab.ipvsadm('-Ln', '--stats', '--exact')}\n--\n${lab.ipvsadm('-Ln')}`;
  for (let attempt = 0; attempt < 20; attempt++) {
    const before = reading();
    const value = await read();
    if (reading() === before) {
      const [stats = '', list = ''] = before.split('\n--\n');
      return { table: ipvsadmStats(stats), weights: ipvsadmWeights(list), value };
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error('the table never stood still');
}

function scrape(lab: Lab): Scrape {
  const script = `fetch('http://127.0.0.1:${METRICS_PORT}/metrics').then(async (r) => { if (r.status !== 200 || r.headers.get('content-type') !== 'text/plain; version=0.0.4; charset=utf-8') throw new Error(String(r.status)); process.stdout.write(await r.text()); })`;
  const r = lab.director.run(process.execPath, ['-e', script], { timeoutMs: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  return parseExposition(r.stdout);
}

describe('lvsd status and metrics on a real kernel', { skip: inVm ? false : 'runs inside the IPVS VM (test/vm/run)' }, () => {
  it('serves counters that match ipvsadm --stats, as JSON and as a Prometheus scrape', async () => {
    const lab = await natLab();
    const dir = mkdtempSync(join(tmpdir(), 'lvsd-status-'));
    const file = join(dir, 'lvs.cf');
    const socket = join(dir, 'lvsd.sock');
    writeFileSync(
      file,
      `serial_no = 31
primary = 198.51.100.1
network = nat
virtual http {
     active = 1
     address = ${lab.vip} d0:1
     port = 80
     scheduler = rr
     timeout = 3
     reentry = 3
${lab.servers.map((s) => `     server ${s.name} {\n         address = ${s.address}\n         active = 1\n         weight = 2\n     }\n`).join('')}}
`,
    );
    const lvsd = await startLvsd(['-n', '-c', file, '--checkers', '1', '--status-socket', socket, '--metrics', String(METRICS_PORT)], lab.director);
    try {
      await until('both real servers are up in the status', async () => {
        if (!existsSync(socket)) return false;
        const doc = await lvsdStatus(socket);
        return doc.services[0]?.servers.every((s) => s.health === 'up' && s.kernelWeight === 2) === true;
      }, () => lvsd.output(), 120_000);
      assert.match(lvsd.output(), new RegExp(`serving metrics on http://127\\.0\\.0\\.1:${METRICS_PORT}/metrics`));
      const answers = await lab.request('http', 6);
      assert.equal(answers.filter((a) => a.server !== null).length, 6, JSON.stringify(answers));

      const { table, weights, value: doc } = await atOneMoment<StatusView>(lab, () => lvsdStatus(socket));
      const service = `TCP ${lab.vip}:80`;
      const web = doc.services[0];
      assert.equal(web?.ipvs, `tcp ${lab.vip}:80`);
      assert.deepEqual(asList(web?.counters), table.get(service));
      assert.equal(web?.counters?.connections, 6);
      for (const s of lab.servers) {
        const server: StatusView['services'][number]['servers'][number] | undefined = web?.servers.find((x) => x.address === s.address);
        assert.deepEqual(asList(server?.counters), table.get(`${service} -> ${s.address}:80`), s.name);
        assert.equal(server?.kernelWeight ?? undefined, weights.has(`${s.address}:80`) ? Number(weights.get(`${s.address}:80`)) : undefined, s.name);
      }

      const { table: again, weights: nowWeights, value: metrics } = await atOneMoment(lab, () => scrape(lab));
      const labels = { virtual: 'http', service: `tcp ${lab.vip}:80` };
      const names = ['connections', 'packets_in', 'packets_out', 'bytes_in', 'bytes_out'];
      assert.deepEqual(names.map((n) => metrics.get(`lvs_service_${n}_total`, labels)), again.get(service));
      for (const s of lab.servers) {
        const dl = { ...labels, server: s.name, destination: `${s.address}:80` };
        const row = again.get(`${service} -> ${s.address}:80`);
        assert.deepEqual(names.map((n) => metrics.get(`lvs_destination_${n}_total`, dl)), row ?? names.map(() => undefined), s.name);
        assert.equal(metrics.get('lvs_destination_weight', dl), nowWeights.get(`${s.address}:80`), s.name);
        assert.ok(['0', '1'].includes(metrics.get('lvs_server_healthy', dl) ?? ''), s.name);
      }
      assert.equal(metrics.get('lvs_config_serial_number'), '31');
      assert.equal(metrics.get('lvs_kernel_read_ok'), '1');

      lvsd.child.kill('SIGTERM');
      assert.equal(await lvsd.exited, 0, lvsd.output());
      assert.equal(existsSync(socket), false, 'the status socket is removed at stop');
    } finally {
      lvsd.child.kill('SIGKILL');
      await lab.destroy();
    }
  });
});
