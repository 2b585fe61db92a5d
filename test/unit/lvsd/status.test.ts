import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toJson } from '../../../src/lvsd/status-json.js';
import { STATUS_VERSION, statusSnapshot } from '../../../src/lvsd/status.js';
import { stats, statusInput } from '../../helpers/status-fixture.js';

const counters = (base: bigint) => {
  const s = stats(base);
  return {
    counters: { connections: s.conns, packetsIn: s.inpkts, packetsOut: s.outpkts, bytesIn: s.inbytes, bytesOut: s.outbytes },
    rates: { connectionsPerSecond: s.cps, packetsInPerSecond: s.inpps, packetsOutPerSecond: s.outpps, bytesInPerSecond: s.inbps, bytesOutPerSecond: s.outbps },
  };
};

describe('statusSnapshot', () => {
  it('describes lvsd, its configuration, its reconciliations and its checkers', () => {
    const doc = statusSnapshot(statusInput());
    assert.equal(doc.version, STATUS_VERSION);
    assert.deepEqual(doc.lvsd, { version: '9.9.9', pid: 4242, startedAt: '2026-01-02T03:04:05.000Z', uptimeSeconds: 90.5 });
    assert.equal(doc.generatedAt, '2026-01-02T03:05:35.500Z');
    assert.deepEqual(doc.config, { file: '/etc/sysconfig/ha/lvs.cf', serialNo: 42, loadedAt: '2026-01-02T03:04:06.000Z', hardShutdown: false, reloads: { ok: 2, failed: 1 } });
    assert.deepEqual(doc.kernel, { read: true, error: null });
    assert.deepEqual(doc.reconcile, { runs: 12, failedOperations: 1, last: { planned: 2, applied: 0, failed: [{ operation: 'delete-service', error: 'delete service tcp 192.0.2.10:80: no such service' }] } });
    assert.deepEqual(doc.checkers.map((c) => [c.name, c.pid, c.running, c.restarts, c.servers]), [['checker 0', 100, true, 0, 2], ['checker 1', null, false, 3, 1]]);
  });

  it('gives each service its identity, scheduling and kernel counters', () => {
    const [web, mail] = statusSnapshot(statusInput()).services;
    assert.deepEqual(
      { ...web, servers: undefined, sorryServer: undefined },
      {
        name: 'web', active: true, ipvs: 'tcp 192.0.2.10:80', address: '192.0.2.10', protocol: 'tcp', port: 80, fwmark: null,
        scheduler: 'wlc', persistent: 300, pmask: '255.255.255.0', monitor: 'nanny', inKernel: true, ...counters(2n ** 60n),
        servers: undefined, sorryServer: undefined,
      },
    );
    assert.deepEqual(
      [mail?.active, mail?.ipvs, mail?.fwmark, mail?.monitor, mail?.inKernel, mail?.counters, mail?.servers[0]?.health],
      [false, 'fwmark 25', 25, '/opt/check-mail', false, null, 'inactive'],
    );
  });

  it('gives each server its weights, health, since when and why, and connection counters', () => {
    const [web] = statusSnapshot(statusInput()).services;
    const [a, b, c, d] = web?.servers ?? [];
    assert.deepEqual(a, {
      name: 'a', address: '10.0.0.1', port: 80, active: true, configuredWeight: 64, health: 'up', quiesced: false,
      since: '2026-01-02T03:04:07.000Z', reason: 'slow start',
      kernelWeight: 16, activeConnections: 7, inactiveConnections: 8, persistentConnections: 9, ...counters(100n),
    });
    assert.deepEqual([b?.health, b?.quiesced, b?.since, b?.reason, b?.kernelWeight], ['down', true, '2026-01-02T03:04:08.000Z', 'CONNECT to 10.0.0.2:80 timed out', 0]);
    assert.deepEqual([c?.health, c?.active, c?.kernelWeight, c?.counters], ['inactive', false, null, null]);
    assert.deepEqual([d?.health, d?.since, d?.reason, d?.kernelWeight, d?.activeConnections, d?.counters], ['unknown', null, null, null, null, null]);
  });

  it('shows the sorry server, in use only while the table has it', () => {
    assert.deepEqual({ ...statusSnapshot(statusInput()).services[0]?.sorryServer }, { address: '10.0.0.99', port: 80, inUse: false, kernelWeight: null, activeConnections: null, inactiveConnections: null, persistentConnections: null, counters: null, rates: null });
    const sorry = statusSnapshot(statusInput({ sorryInTable: true })).services[0]?.sorryServer;
    assert.deepEqual([sorry?.inUse, sorry?.kernelWeight, sorry?.counters?.connections], [true, 1, 301n]);
  });

  it('says when the table could not be read, and keeps everything else', () => {
    const doc = statusSnapshot(statusInput({ kernel: false }));
    assert.deepEqual(doc.kernel, { read: false, error: 'list services: the kernel has no IPVS' });
    const [web] = doc.services;
    assert.deepEqual([web?.inKernel, web?.counters, web?.servers[0]?.health, web?.servers[0]?.kernelWeight], [false, null, 'up', null]);
  });

  it('is JSON with the 64-bit counters exact', () => {
    const text = toJson(statusSnapshot(statusInput()));
    assert.match(text, /"bytesIn": 1152921504606846980\b/);
    const parsed = JSON.parse(text) as { services: Array<{ servers: Array<{ name: string; health: string }> }> };
    assert.deepEqual(parsed.services[0]?.servers.map((s) => [s.name, s.health]), [['a', 'up'], ['b', 'down'], ['c', 'inactive'], ['d', 'unknown']]);
  });
});
