/** End-to-end tests of the executables' --check mode, run through the real bin/ launchers. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { repoPath, SAMPLES } from '../../helpers/config.js';

const dir = mkdtempSync(join(tmpdir(), 'lvs-check-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function run(program: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [repoPath(`bin/${program}.js`), ...args], { encoding: 'utf8', timeout: 20000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('--check', () => {
  for (const program of ['pulse', 'lvsd', 'lvs'])
    for (const sample of SAMPLES)
      it(`${program} accepts ${sample}`, () => {
        const r = run(program, ['--check', '-c', repoPath(`etc/${sample}`)]);
        assert.equal(r.status, 0, r.stdout + r.stderr);
        assert.match(r.stdout, /: OK: \d+ virtual services? \(\d+ active\)/);
      });

  it('prints FILE:LINE:COL: error: text and a hint, and exits 1', () => {
    const path = file('bad.cf', 'primary = 192.0.2.1\nkeepalive 6\nvirtual w {\n     active = 2\n}\n');
    const r = run('lvsd', ['--check', '--configfile', path]);
    assert.equal(r.status, 1);
    const lines = r.stdout.split('\n');
    assert.equal(lines[0], `${path}:2:11: error: equal (=) expected after command`);
    assert.match(lines[1] ?? '', /^ {4}hint: write 'keepalive = VALUE'/);
    assert.equal(lines[2], `${path}:4:15: error: boolean expected`);
    assert.match(r.stdout, /: 2 errors, 0 warnings\n$/);
  });

  it('accepts --configfile=FILE as popt did', () => {
    const r = run('pulse', ['--check', `--configfile=${repoPath('etc/sample-single-director.cf')}`]);
    assert.equal(r.status, 0, r.stdout);
  });

  it('says "failed to open" for a missing file and exits 1', () => {
    const r = run('pulse', ['--check', '-c', join(dir, 'nope.cf')]);
    assert.equal(r.status, 1);
    assert.match(r.stdout, /nope\.cf: error: failed to open .*nope\.cf\n/);
  });

  it('reports a directory with the piranha I/O text', () => {
    const r = run('pulse', ['--check', '-c', dir]);
    assert.equal(r.status, 1);
    assert.match(r.stdout, /error: I\/O error while reading configuration/);
  });

  it('prints JSON with --json', () => {
    const path = file('warn.cf', 'primary = 192.0.2.1\nvirtual w {\n     active = 1\n     address = 192.0.2.10 eth0\n     server a {\n         address = 10.0.0.1\n         active = 1\n     }\n}\n');
    const r = run('lvsd', ['--check', '--json', '-c', path]);
    assert.equal(r.status, 0);
    const out = JSON.parse(r.stdout) as { ok: boolean; errors: number; warnings: number; diagnostics: Array<{ code: string; line: number }>; summary: { activeRealServers: number } };
    assert.equal(out.ok, true);
    assert.equal(out.warnings, 1);
    assert.deepEqual(
      out.diagnostics.map((d) => [d.code, d.line]),
      [['NOT_AN_ALIAS', 4]],
    );
    assert.equal(out.summary.activeRealServers, 1);
  });

  it('rejects extensions with --strict-piranha', () => {
    const path = file('ext.cf', 'primary = 192.0.2.1\nkeepalive = 0.5\nvirtual w {\n     active = 1\n     address = 192.0.2.10 eth0:1\n     server a {\n         address = 10.0.0.1\n         active = 1\n     }\n}\n');
    assert.equal(run('pulse', ['--check', '-c', path]).status, 0);
    const strict = run('pulse', ['--check', '--strict-piranha', '-c', path]);
    assert.equal(strict.status, 1);
    assert.match(strict.stdout, /:2:13: error: integer expected\n {4}hint: --strict-piranha: fractional seconds is an lvs-director extension/);
  });
});

describe('command lines', () => {
  it('exits 2 on an unknown option, naming the program', () => {
    const r = run('pulse', ['--bogus']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^pulse: unknown option '--bogus'/);
  });

  it('prints the three-line version banner', () => {
    for (const program of ['pulse', 'lvsd', 'nanny', 'send_arp']) {
      const r = run(program, ['--version']);
      assert.equal(r.status, 0);
      assert.match(r.stdout, new RegExp(`^Program Version:\\t${program} \\d+\\.\\d+\\.\\d+\\nBuilt:\\t\\t\\t.+\\nA component of:\\t\\tlvs-director-`));
    }
  });

  it('lvsd refuses to start on a file with errors, with piranha\'s line and exit 1', () => {
    const path = file('lvsd-bad.cf', 'primary = 192.0.2.1\nkeepalive 6\n');
    const r = run('lvsd', ['-n', '-c', path]);
    assert.equal(r.status, 1);
    assert.match(r.stdout, new RegExp(`^lvs: error parsing ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} on line 2\\.\n$`));
    assert.match(r.stderr, /:2:11: error: equal \(=\) expected after command/);
  });

  it('lvsd -t prints the table and checkers it would run, changing nothing', () => {
    const r = run('lvsd', ['-t', '-c', repoPath('etc/sample-nat-fwmark.cf')]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, '-A -u 198.51.100.53:53 -s rr\n-A -f 80 -s wrr -p 600 -M 255.255.255.0\nchecker web_farm/app1: fwmark 80 10.20.0.11:80\nchecker dns/ns1: udp 198.51.100.53:53 10.20.0.31:53\n');
  });

  it('documents --check in --help', () => {
    const r = run('lvsd', ['--help']);
    assert.equal(r.status, 0);
    assert.match(r.stdout, /--check/);
    assert.match(r.stdout, /-c, --configfile <file>/);
  });

  it("pulse refuses a missing file or one with errors, with piranha's message and exit 1", () => {
    const missing = run('pulse', ['-n', '-c', '/nonexistent/lvs.cf']);
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /^pulse: failed to open \/nonexistent\/lvs\.cf$/m);
    const path = file('pulse-bad.cf', 'primary = 192.0.2.1\nkeepalive 6\n');
    const bad = run('pulse', ['-n', '-c', path]);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /^pulse: error parsing .*pulse-bad\.cf at line 2: equal \(=\) expected after command$/m);
  });

  it('lvsadm says plainly when the kernel has no IPVS, and exits 2 on a bad command line', { skip: existsSync('/proc/net/ip_vs') ? 'this kernel has IPVS' : false }, () => {
    const r = run('lvsadm', ['-Ln']);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^lvsadm: open IPVS: the kernel has no IPVS: load it with 'modprobe ip_vs'/);
    const u = run('lvsadm', ['-A', '-t', '10.0.0.1:0']);
    assert.equal(u.status, 2);
    assert.match(u.stderr, /^lvsadm: Zero port specified for non-persistent service\nTry `lvsadm -h'/);
    assert.match(run('lvsadm', ['-v']).stdout, /^lvsadm \d+\.\d+\.\d+ \(ipvsadm 1\.31 compatible, generic netlink\)\n$/);
    const h = run('lvsadm', ['-h']);
    assert.equal(h.status, 0);
    assert.match(h.stdout, /ipvsadm 1\.31-compatible/);
  });
});
