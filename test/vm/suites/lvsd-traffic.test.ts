/**
 * Client traffic to the VIP reaches the real servers through a table lvsd programs, in the NAT and
 * the direct-routing lab: lvsd runs in the director namespace with its checkers, and takes a
 * stopped real server out so that traffic goes only to the others.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { drLab, natLab, type Lab } from '../lab.js';

const inVm = process.env['LVS_VM_GUEST'] === '1' || existsSync('/proc/net/ip_vs');
const lvsd = new URL('../../../../bin/lvsd.js', import.meta.url).pathname;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function until(lab: Lab, what: string, test: (table: string) => boolean, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    const table = lab.ipvsadm('-Ln');
    if (test(table)) return;
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}:\n${table}`);
    await sleep(300);
  }
}

const config = (lab: Lab): string => `primary = 198.51.100.1
network = ${lab.kind === 'nat' ? 'nat' : 'direct'}
virtual http {
     active = 1
     address = ${lab.vip} d0:1
     port = 80
     scheduler = rr
     timeout = 1
     reentry = 1
${lab.servers.map((s) => `     server ${s.name} {\n         address = ${s.address}\n         active = 1\n     }\n`).join('')}}
`;

describe('traffic through a table lvsd programs', { skip: inVm ? false : 'runs inside the IPVS VM (test/vm/run)' }, () => {
  for (const make of [natLab, drLab])
    it(`${make === natLab ? 'NAT' : 'direct routing'}: both servers answer, a stopped one is taken out`, async () => {
      const lab = await make();
      const dir = mkdtempSync(join(tmpdir(), 'lvsd-lab-'));
      const file = join(dir, 'lvs.cf');
      writeFileSync(file, config(lab));
      const child = lab.director.spawnNode(lvsd, ['-n', '-c', file, '--checkers', '1']);
      try {
        const dest = (s: { address: string }) => new RegExp(`-> ${s.address.replace(/\./g, '\\.')}:80 +(Masq|Route) +1 `);
        await until(lab, 'lvsd has added both real servers', (t) => lab.servers.every((s) => dest(s).test(t)));
        const answers = await lab.request('http', 4);
        assert.deepEqual(new Set(answers.map((a) => a.server)), new Set(['rs1', 'rs2']), JSON.stringify(answers));
        await lab.stopServer(1);
        await until(lab, 'lvsd has taken the stopped server out', (t) => !dest(lab.servers[1] as { address: string }).test(t));
        const after = await lab.request('http', 4);
        assert.deepEqual(after.map((a) => a.server), ['rs1', 'rs1', 'rs1', 'rs1'], JSON.stringify(after));
        const exited = new Promise((resolve) => child.on('exit', resolve));
        child.kill('SIGTERM');
        await exited;
        assert.doesNotMatch(lab.ipvsadm('-Ln'), /198\.51\.100\.10:80/);
      } finally {
        child.kill('SIGKILL');
        await lab.destroy();
      }
    });
});
