import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultGlobals, type GlobalSettings } from '../../../src/config/model.js';
import { restartNotice, restartSettingsChanged } from '../../../src/pulse/restart-settings.js';

const host = (ip: string): GlobalSettings['primary'] => ({ text: ip, ip, family: 4 });

describe('pulse start-only settings', () => {
  it('finds nothing when only reloadable settings (timers, NAT router, commands) changed', () => {
    const before = { ...defaultGlobals(), primary: host('10.0.0.1'), backup: host('10.0.0.2') };
    const after = { ...before, keepalive: 1, deadtime: 3, activeCmd: '/bin/true', syncdaemon: true };
    assert.deepEqual(restartSettingsChanged(before, after), []);
    assert.equal(restartNotice([]), null);
  });

  it('names each changed start-only setting by its keyword, with both values', () => {
    const before = { ...defaultGlobals(), primary: host('10.0.0.1'), backup: host('10.0.0.2'), heartbeat: true };
    const after = { ...before, primary: host('10.0.0.9'), backupPrivate: host('192.168.0.2'), heartbeatPort: 540, backupActive: true, service: 'fos' as const, heartbeatKeyFile: '/etc/sysconfig/ha/key' };
    const changed = restartSettingsChanged(before, after);
    assert.deepEqual(
      changed.map((c) => c.keyword),
      ['primary', 'backup_private', 'backup_active', 'heartbeat_port', 'service', 'heartbeat_key_file'],
    );
    assert.equal(
      restartNotice(changed),
      'configuration reloaded, but these settings take effect only when pulse restarts: primary 10.0.0.1 -> 10.0.0.9, backup_private (none) -> 192.168.0.2, backup_active 0 -> 1, heartbeat_port 539 -> 540, service lvs -> fos, heartbeat_key_file (none) -> /etc/sysconfig/ha/key',
    );
  });
});
