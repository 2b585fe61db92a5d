import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backupIsActive, effectivePmask, heartbeatAddresses, loadMonitorCommand } from '../../../src/config/effective.js';
import { parse } from '../../helpers/config.js';

const ips = (h: { ip: string | null } | null): string | null => h?.ip ?? null;

describe('heartbeatAddresses', () => {
  it('uses the public addresses for the private channel when primary_private is absent', () => {
    const g = parse('primary = 192.0.2.1\nbackup = 192.0.2.2\n').config.global;
    const a = heartbeatAddresses(g);
    assert.deepEqual([ips(a.primaryPrivate), ips(a.backupPrivate)], ['192.0.2.1', '192.0.2.2']);
  });

  it('ignores backup_private when primary_private is absent, as piranha does', () => {
    const g = parse('primary = 192.0.2.1\nbackup = 192.0.2.2\nbackup_private = 10.0.0.2\n').config.global;
    assert.equal(ips(heartbeatAddresses(g).backupPrivate), '192.0.2.2');
  });

  it('keeps both private addresses when primary_private is given', () => {
    const g = parse('primary = 192.0.2.1\nprimary_private = 10.0.0.1\nbackup = 192.0.2.2\nbackup_private = 10.0.0.2\n').config.global;
    const a = heartbeatAddresses(g);
    assert.deepEqual([ips(a.primaryPrivate), ips(a.backupPrivate)], ['10.0.0.1', '10.0.0.2']);
  });
});

describe('backupIsActive', () => {
  it('is off when backup is 0.0.0.0 or absent, whatever backup_active says', () => {
    assert.equal(backupIsActive(parse('backup_active = 1\n').config.global), false);
    assert.equal(backupIsActive(parse('backup_active = 1\nbackup = 0.0.0.0\n').config.global), false);
    assert.equal(backupIsActive(parse('backup_active = 1\nbackup = 192.0.2.2\n').config.global), true);
    assert.equal(backupIsActive(parse('backup_active = 0\nbackup = 192.0.2.2\n').config.global), false);
  });
});

describe('loadMonitorCommand', () => {
  it('maps uptime to rsh_command and passes other values through', () => {
    const r = parse('rsh_command = ssh\nvirtual a {\n load_monitor = uptime\n}\nvirtual b {\n load_monitor = rup\n}\nvirtual c {\n}\n');
    const [a, b, c] = r.config.virtuals;
    assert.equal(loadMonitorCommand(a!, r.config.global), 'ssh');
    assert.equal(loadMonitorCommand(b!, r.config.global), 'rup');
    assert.equal(loadMonitorCommand(c!, r.config.global), null);
  });
});

describe('effectivePmask', () => {
  it('gives the mask only with persistence and never 255.255.255.255', () => {
    const r = parse('virtual a {\n persistent = 60\n pmask = 255.255.255.0\n}\nvirtual b {\n pmask = 255.255.255.0\n}\nvirtual c {\n persistent = 60\n pmask = 255.255.255.255\n}\n');
    assert.deepEqual(
      r.config.virtuals.map(effectivePmask),
      ['255.255.255.0', null, null],
    );
  });
});
