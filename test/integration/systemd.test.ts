import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { repoPath } from '../helpers/config.js';

const analyze = spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' });
const noAnalyze = analyze.status === 0 ? false : 'systemd-analyze is not installed';

describe('systemd/pulse.service', () => {
  const unit = readFileSync(repoPath('systemd/pulse.service'), 'utf8');

  it('passes systemd-analyze verify (with this checkout standing in for /usr/sbin)', { skip: noAnalyze }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'pulse-unit-'));
    try {
      const local = unit.replaceAll('/usr/sbin/pulse', repoPath('bin/pulse.js')).replaceAll('/usr/libexec/lvs-director/pulse-delay', repoPath('systemd/pulse-delay'));
      writeFileSync(join(dir, 'pulse.service'), local);
      const r = spawnSync('systemd-analyze', ['verify', '--man=no', join(dir, 'pulse.service')], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stderr.trim(), '');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads OPTIONS and DELAY from /etc/sysconfig/pulse, reloads with SIGHUP, stops pulse alone first', () => {
    assert.match(unit, /^EnvironmentFile=-\/etc\/sysconfig\/pulse$/m);
    assert.match(unit, /^ExecStart=\/usr\/sbin\/pulse \$OPTIONS$/m);
    assert.match(unit, /^ExecReload=\/bin\/kill -HUP \$MAINPID$/m);
    assert.match(unit, /^KillMode=mixed$/m);
    assert.match(unit, /^CapabilityBoundingSet=.*CAP_NET_ADMIN.*CAP_NET_RAW.*CAP_NET_BIND_SERVICE/m);
  });

  it('pulse-delay: a number of seconds, random (0.0-4.9 s), nothing, or a clear refusal', () => {
    const run = (delay: string): { status: number | null; stderr: string; ms: number } => {
      const t0 = Date.now();
      const r = spawnSync(repoPath('systemd/pulse-delay'), [], { encoding: 'utf8', env: { ...process.env, DELAY: delay } });
      return { status: r.status, stderr: r.stderr, ms: Date.now() - t0 };
    };
    assert.equal(run('').status, 0);
    const slept = run('0.3');
    assert.equal(slept.status, 0);
    assert.ok(slept.ms >= 250, `slept ${slept.ms} ms`);
    const bad = run('soon');
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /DELAY must be a number of seconds or 'random', got 'soon'/);
  });
});
