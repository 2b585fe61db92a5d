import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { desiredTable, serverId, type ServerHealth } from '../../../src/lvsd/desired.js';
import { parse, readSample } from '../../helpers/config.js';

const up = (weight: number): ServerHealth => ({ up: true, weight, quiesced: false });
const DOWN: ServerHealth = { up: false, weight: 0, quiesced: false };
const QUIESCED: ServerHealth = { up: false, weight: 0, quiesced: true };

describe('desiredTable', () => {
  const direct = parse(readSample('sample-direct-routing.cf')).config;
  const ids = direct.virtuals.map((v) => v.servers.map((s) => serverId(v, s)));

  it('has a service per active virtual service, with scheduler and persistence, and no server before any check', () => {
    const table = desiredTable(direct, new Map());
    assert.deepEqual(
      table.map((e) => [e.service.key, e.service.scheduler, e.service.flags, e.service.timeout, e.service.netmask, e.destinations.length]),
      [
        [{ family: 4, protocol: 'tcp', address: '192.0.2.100', port: 80 }, 'wlc', 0, 0, 0xffffffff, 0],
        [{ family: 4, protocol: 'tcp', address: '192.0.2.100', port: 443 }, 'wlc', 1, 300, 0xffffffff, 0],
      ],
    );
  });

  it('adds the servers that are up at their monitor weight, with the forwarding method of `network`', () => {
    const health = new Map([[ids[0]?.[0] as string, up(3)], [ids[0]?.[1] as string, DOWN], [ids[1]?.[1] as string, QUIESCED]]);
    const table = desiredTable(direct, health);
    assert.deepEqual(table[0]?.destinations.map((d) => [d.address, d.port, d.forwarding, d.weight]), [['192.0.2.21', 80, 'droute', 3]]);
    assert.deepEqual(table[1]?.destinations.map((d) => [d.address, d.weight]), [['192.0.2.22', 0]]);
  });

  it('uses the sorry server while no real server is up, and drops it when one is', () => {
    const nat = parse(readSample('sample-nat-fwmark.cf')).config;
    const web = nat.virtuals[0];
    assert.ok(web !== undefined);
    const first = serverId(web, web.servers[0] ?? web.servers[0]!);
    const none = desiredTable(nat, new Map());
    assert.deepEqual(none[0]?.service.key, { family: 4, fwmark: 80 });
    assert.deepEqual([none[0]?.service.flags, none[0]?.service.timeout, none[0]?.service.netmask], [1, 600, 0xffffff00]);
    assert.deepEqual(none[0]?.destinations.map((d) => [d.address, d.port, d.forwarding, d.weight]), [['10.20.0.99', 80, 'masq', 1]]);
    const one = desiredTable(nat, new Map([[first, up(1)]]));
    assert.deepEqual(one[0]?.destinations.map((d) => d.address), ['10.20.0.11']);
    const quiesced = desiredTable(nat, new Map([[first, QUIESCED]]));
    assert.deepEqual(quiesced[0]?.destinations.map((d) => [d.address, d.weight]), [['10.20.0.11', 0], ['10.20.0.99', 1]]);
  });

  it('leaves out inactive virtual services and inactive servers', () => {
    const text = readSample('sample-nat-fwmark.cf');
    const cfg = parse(text.replace('active = 1\n     address = 198.51.100.53', 'active = 0\n     address = 198.51.100.53')).config;
    assert.equal(desiredTable(cfg, new Map()).length, 1);
    const web = cfg.virtuals[0];
    assert.ok(web !== undefined);
    const inactive = web.servers[1];
    assert.ok(inactive !== undefined && !inactive.active);
    assert.deepEqual(desiredTable(cfg, new Map([[serverId(web, inactive), up(5)]]))[0]?.destinations.map((d) => d.address), ['10.20.0.99']);
  });
});
