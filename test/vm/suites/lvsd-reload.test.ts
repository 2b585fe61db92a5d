/**
 * lvsd reloads on the real kernel, in the NAT lab. lvsd (-v, so that it logs every kernel
 * operation) runs in the director namespace; a long-lived TCP connection from the client to the
 * VIP's echo port goes through real server rs1 and is held open while lvs.cf is rewritten and
 * lvsd gets SIGHUP, scenario after scenario: a server added, its port changed, its weight
 * changed, it removed (drained while a connection uses it), the scheduler changed, persistence
 * added, a service added, that service removed, an invalid file. Each scenario must send exactly
 * the kernel operations it needs and leave the table as expected; after each one the held
 * connection still echoes, rs1 still counts it as active, the echo service's counters never went
 * back (nothing was re-created), and rs1's checker was never restarted.
 *   test/vm/run 'node --test --test-reporter=spec dist/test/vm/suites/lvsd-reload.test.js'
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { netnsUnavailable } from '../../helpers/netns.js';
import { ipvsadmStats, natLab, type HeldConnection, type Lab } from '../lab.js';

const inVm = process.env['LVS_VM_GUEST'] === '1' || existsSync('/proc/net/ip_vs');
const skip = inVm ? (netnsUnavailable() ?? false) : 'runs inside the IPVS VM (test/vm/run)';
const lvsd = new URL('../../../../bin/lvsd.js', import.meta.url).pathname;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const VIP = '198.51.100.10';
const ECHO = `${VIP}:7007`;
const RS1 = '10.200.0.11';
const RS2 = '10.200.0.12';
/** QUIET_MS is how long a scenario must stay without further operations once its table is reached. */
const QUIET_MS = 5000;
/** DRAIN_TIMEOUT_S is lvsd's --drain-timeout here: longer than any wait, so a drain can only end by its connections. */
const DRAIN_TIMEOUT_S = 300;

interface Spec {
  readonly scheduler?: string;
  readonly persistent?: number;
  readonly rs2?: { readonly port: number; readonly weight: number } | null;
  readonly web?: boolean;
}

/** lvsCf writes the configuration of a scenario: virtual echo (VIP:7007) with rs1 and maybe rs2, and maybe virtual web (VIP:80). */
function lvsCf(spec: Spec): string {
  const rs2 = spec.rs2 ?? null;
  const server = (name: string, address: string, port: number, weight: number): string =>
    `     server ${name} {\n         address = ${address}\n         active = 1\n         port = ${port}\n         weight = ${weight}\n     }\n`;
  const echo =
    `virtual echo {\n     active = 1\n     address = ${VIP} d0:1\n     port = 7007\n     send = "PING\\n"\n     expect = "rs"\n` +
    `     scheduler = ${spec.scheduler ?? 'wlc'}\n${spec.persistent === undefined ? '' : `     persistent = ${spec.persistent}\n`}     timeout = 1\n     reentry = 1\n` +
    `${server('rs1', RS1, 7007, 1)}${rs2 === null ? '' : server('rs2', RS2, rs2.port, rs2.weight)}}\n`;
  const web = spec.web === true ? `virtual web {\n     active = 1\n     address = ${VIP} d0:1\n     port = 80\n     scheduler = wlc\n     timeout = 1\n     reentry = 1\n${server('rs1', RS1, 80, 1)}}\n` : '';
  return `primary = 198.51.100.1\nnetwork = nat\n${echo}${web}`;
}

interface Dest {
  readonly forward: string;
  readonly weight: number;
  readonly active: number;
  readonly inactive: number;
}
interface ServiceRow {
  /** scheduling is what follows the address: "wlc", "rr persistent 30". */
  readonly scheduling: string;
  readonly dests: Map<string, Dest>;
}

/** readTable reads `ipvsadm -Ln` in the director: services by "TCP address:port". */
function readTable(lab: Lab): Map<string, ServiceRow> {
  const out = new Map<string, ServiceRow>();
  let current: ServiceRow | null = null;
  for (const line of lab.ipvsadm('-Ln').split('\n')) {
    const s = /^(TCP|UDP)\s+(\S+)\s+(.*?)\s*$/.exec(line);
    if (s !== null) {
      current = { scheduling: s[3] ?? '', dests: new Map() };
      out.set(`${s[1]} ${s[2]}`, current);
      continue;
    }
    const d = /^\s+->\s+(\S+)\s+(\S+)\s+(\d+)\s+(\d+)\s+(\d+)/.exec(line);
    if (d !== null && current !== null) current.dests.set(d[1] as string, { forward: d[2] as string, weight: Number(d[3]), active: Number(d[4]), inactive: Number(d[5]) });
  }
  return out;
}

/** counters reads `ipvsadm -Ln --stats --exact`: connections and packets in, per service and per "service -> destination". */
function counters(lab: Lab): Map<string, { conns: number; inPkts: number }> {
  const rows = ipvsadmStats(lab.ipvsadm('-Ln', '--stats', '--exact'));
  return new Map([...rows].map(([key, row]) => [key, { conns: Number(row[0]), inPkts: Number(row[1]) }]));
}

describe('lvsd reloads on a real kernel, a connection held open through them all', { skip }, () => {
  let lab: Lab;
  let child: ChildProcess;
  let file: string;
  let held: HeldConnection;
  const output: string[] = [];
  const ops: string[] = [];
  let stderr = '';
  let pings = 0;
  let baseline = { conns: 0, inPkts: 0 };

  /** until polls the table until `test` holds (generous bounds: the VM is emulated). */
  async function until(what: string, test: (t: Map<string, ServiceRow>) => boolean, ms = 90_000): Promise<Map<string, ServiceRow>> {
    const end = Date.now() + ms;
    for (;;) {
      const t = readTable(lab);
      if (test(t)) return t;
      if (Date.now() > end) throw new Error(`timed out waiting until ${what}:\n${lab.ipvsadm('-Ln')}\nlvsd said:\n${output.slice(-30).join('\n')}`);
      await sleep(500);
    }
  }

  /** reload writes lvs.cf (the text of `spec`, or `text`), sends SIGHUP, waits until lvsd has taken it or refused it, and returns where the operations log stood. */
  async function reload(spec: Spec | string): Promise<number> {
    const mark = ops.length;
    const from = output.length;
    writeFileSync(file, typeof spec === 'string' ? spec : lvsCf(spec));
    child.kill('SIGHUP');
    const end = Date.now() + 90_000;
    while (!output.slice(from).some((l) => l === 'lvs: rereading configuration file' || l === 'lvs: configuration not reloaded: the running one is kept')) {
      if (Date.now() > end) throw new Error(`lvsd did not take the reload:\n${output.slice(-30).join('\n')}`);
      await sleep(200);
    }
    return mark;
  }

  /** settled waits QUIET_MS more and returns the operations sent since `mark`. */
  async function settled(mark: number): Promise<string[]> {
    await sleep(QUIET_MS);
    return ops.slice(mark);
  }

  /** unharmed checks what every scenario must leave alone: the held connection, rs1's entry and checker, the service's counters. */
  async function unharmed(t: Map<string, ServiceRow>): Promise<void> {
    const text = `ping${++pings}`;
    assert.equal(await held.echo(text), text, 'the held connection still echoes');
    assert.equal(t.get(`TCP ${ECHO}`)?.dests.get(`${RS1}:7007`)?.active, 1, 'rs1 still counts the held connection as active (its entry was never re-created)');
    const now = counters(lab);
    const service = now.get(`TCP ${ECHO}`);
    assert.ok(service !== undefined && service.conns >= baseline.conns && service.inPkts >= baseline.inPkts, `the echo service's counters went back: ${JSON.stringify(service)} < ${JSON.stringify(baseline)}`);
    baseline = { conns: service.conns, inPkts: service.inPkts };
    assert.equal(output.filter((l) => l === 'lvs: create_monitor for echo/rs1').length, 1, "rs1's checker was never restarted");
  }

  before(async () => {
    lab = await natLab({ servers: 2 });
    const dir = mkdtempSync(join(tmpdir(), 'lvsd-reload-'));
    file = join(dir, 'lvs.cf');
    writeFileSync(file, lvsCf({}));
    child = lab.director.spawnNode(lvsd, ['-n', '-v', '-c', file, '--checkers', '1', '--drain-timeout', String(DRAIN_TIMEOUT_S)]);
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      output.push(line);
      const op = /^lvs: DEBUG -- ipvs: (.*)$/.exec(line);
      if (op !== null) ops.push(op[1] as string);
    });
    await until('lvsd has added rs1', (t) => t.get(`TCP ${ECHO}`)?.dests.has(`${RS1}:7007`) === true);
    held = await lab.hold();
    assert.equal(held.server, 'rs1');
    assert.equal(await held.echo('hello'), 'hello');
    const t = await until('the held connection is counted', (x) => x.get(`TCP ${ECHO}`)?.dests.get(`${RS1}:7007`)?.active === 1);
    assert.deepEqual(ops, ['add-service -t 198.51.100.10:7007 -s wlc', 'add-destination -t 198.51.100.10:7007 -r 10.200.0.11:7007 -m -w 1']);
    await unharmed(t);
  });

  after(async () => {
    child?.kill('SIGKILL');
    await lab?.destroy();
  });

  it('adds a server: one NEW_DEST, once its checker finds it up', async () => {
    const mark = await reload({ rs2: { port: 7007, weight: 1 } });
    const t = await until('rs2 is added', (x) => x.get(`TCP ${ECHO}`)?.dests.has(`${RS2}:7007`) === true);
    assert.deepEqual(await settled(mark), ['add-destination -t 198.51.100.10:7007 -r 10.200.0.12:7007 -m -w 1']);
    await unharmed(t);
  });

  it("changes a server's port: the old entry drains (no connections: deleted at the first look), the new one is added when up", async () => {
    const mark = await reload({ rs2: { port: 7008, weight: 1 } });
    const t = await until('rs2 is on port 7008 only', (x) => x.get(`TCP ${ECHO}`)?.dests.has(`${RS2}:7008`) === true && x.get(`TCP ${ECHO}`)?.dests.has(`${RS2}:7007`) === false);
    assert.deepEqual(
      (await settled(mark)).sort(),
      [
        'add-destination -t 198.51.100.10:7007 -r 10.200.0.12:7008 -m -w 1',
        'delete-destination -t 198.51.100.10:7007 -r 10.200.0.12:7007',
        'edit-destination -t 198.51.100.10:7007 -r 10.200.0.12:7007 -m -w 0',
      ],
    );
    assert.ok(output.includes('lvs: drained real server 10.200.0.12:7007 of tcp 198.51.100.10:7007: no connections left, removing it'));
    await unharmed(t);
  });

  it("changes a server's weight: one SET_DEST, at once", async () => {
    const mark = await reload({ rs2: { port: 7008, weight: 3 } });
    const t = await until('rs2 has weight 3', (x) => x.get(`TCP ${ECHO}`)?.dests.get(`${RS2}:7008`)?.weight === 3);
    assert.deepEqual(await settled(mark), ['edit-destination -t 198.51.100.10:7007 -r 10.200.0.12:7008 -m -w 3']);
    await unharmed(t);
  });

  it('removes a server by draining it: weight 0 while a connection uses it, deleted once the kernel counts none', async () => {
    const through = await lab.hold();
    assert.equal(through.server, 'rs2', 'wlc sends a new connection to the idle rs2');
    const mark = await reload({ rs2: null });
    await until('rs2 drains at weight 0', (x) => x.get(`TCP ${ECHO}`)?.dests.get(`${RS2}:7008`)?.weight === 0);
    assert.deepEqual(await settled(mark), ['edit-destination -t 198.51.100.10:7007 -r 10.200.0.12:7008 -m -w 0']);
    const draining = readTable(lab).get(`TCP ${ECHO}`)?.dests.get(`${RS2}:7008`);
    assert.equal(draining?.active, 1, 'the connection through rs2 keeps it in the table');
    assert.equal(await through.echo('still'), 'still', 'a draining server keeps serving its connections');
    await through.reset();
    const t = await until('rs2 is gone', (x) => x.get(`TCP ${ECHO}`)?.dests.has(`${RS2}:7008`) === false, 200_000);
    assert.deepEqual(await settled(mark), ['edit-destination -t 198.51.100.10:7007 -r 10.200.0.12:7008 -m -w 0', 'delete-destination -t 198.51.100.10:7007 -r 10.200.0.12:7008']);
    assert.ok(output.includes('lvs: drained real server 10.200.0.12:7008 of tcp 198.51.100.10:7007: no connections left, removing it'), 'it ended by its connections, not by the drain time');
    await unharmed(t);
  });

  it('changes the scheduler: one SET_SERVICE', async () => {
    const mark = await reload({ scheduler: 'rr' });
    const t = await until('the scheduler is rr', (x) => x.get(`TCP ${ECHO}`)?.scheduling === 'rr');
    assert.deepEqual(await settled(mark), ['edit-service -t 198.51.100.10:7007 -s rr']);
    await unharmed(t);
  });

  it('adds persistence: one SET_SERVICE', async () => {
    const mark = await reload({ scheduler: 'rr', persistent: 30 });
    const t = await until('the service is persistent', (x) => x.get(`TCP ${ECHO}`)?.scheduling === 'rr persistent 30');
    assert.deepEqual(await settled(mark), ['edit-service -t 198.51.100.10:7007 -s rr -p 30']);
    await unharmed(t);
  });

  it('adds a service: one NEW_SERVICE, then its server once up; traffic reaches it', async () => {
    const mark = await reload({ scheduler: 'rr', persistent: 30, web: true });
    const t = await until('web has rs1', (x) => x.get(`TCP ${VIP}:80`)?.dests.has(`${RS1}:80`) === true);
    assert.deepEqual(await settled(mark), ['add-service -t 198.51.100.10:80 -s wlc', 'add-destination -t 198.51.100.10:80 -r 10.200.0.11:80 -m -w 1']);
    assert.equal(await lab.fetch(), 'rs1');
    await unharmed(t);
  });

  it('removes a service: one DEL_SERVICE', async () => {
    const mark = await reload({ scheduler: 'rr', persistent: 30 });
    const t = await until('web is gone', (x) => !x.has(`TCP ${VIP}:80`));
    assert.deepEqual(await settled(mark), ['delete-service -t 198.51.100.10:80']);
    await unharmed(t);
  });

  it('refuses an invalid file with its errors and keeps running as it was: no operation', async () => {
    const before = lab.ipvsadm('-Sn');
    const valid = lvsCf({ scheduler: 'rr', persistent: 30 });
    const line = valid.split('\n').length;
    const mark = await reload(`${valid}keepalive = six\n`);
    assert.deepEqual(await settled(mark), []);
    assert.equal(lab.ipvsadm('-Sn'), before);
    assert.ok(output.includes(`lvs: error parsing ${file} on line ${line}.`), output.slice(-10).join('\n'));
    assert.ok(stderr.includes(`${file}:${line}:13: error: integer expected`), stderr);
    await unharmed(readTable(lab));
  });

  it('stops on SIGTERM, removing its service', async () => {
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
    assert.equal(readTable(lab).has(`TCP ${ECHO}`), false);
  });
});
