import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import type { LvsConfig } from '../../../src/config/model.js';
import { loadValidConfig, Reloader, type ReadConfig } from '../../../src/lvsd/reloader.js';
import { parse, repoPath } from '../../helpers/config.js';

const GOOD = 'primary = 192.0.2.1\nvirtual web {\n     active = 1\n     address = 192.0.2.10 eth0:1\n     port = 80\n}\n';
const recorder = () => {
  const lines: string[] = [];
  return { lines, log: { info: (m: string) => lines.push(m), debug: () => undefined } };
};
/** reading serves the texts in turn as the file's successive versions. */
function reading(...texts: string[]): ReadConfig {
  return () => {
    const r = parse(texts.shift() ?? '');
    const errors = r.diagnostics.filter((d) => d.severity === 'error').length;
    const report = { ok: errors === 0, errors, warnings: r.diagnostics.length - errors, diagnostics: r.diagnostics, config: errors === 0 ? r.config : null, parsed: r };
    return Promise.resolve({ diagnostics: r.diagnostics, report });
  };
}

describe('loadValidConfig', () => {
  it('prints every finding and refuses a file with errors with piranha\'s line', async () => {
    const { lines, log } = recorder();
    const printed: string[] = [];
    assert.equal(await loadValidConfig('/etc/lvs.cf', reading(`${GOOD}keepalive = six\n`), log, (l) => printed.push(l)), null);
    assert.deepEqual(lines, ['error parsing /etc/lvs.cf on line 7.']);
    assert.equal(printed.length, 1);
    assert.match(printed[0] ?? '', /^\/etc\/lvs\.cf:7:/);
    assert.notEqual(await loadValidConfig('/etc/lvs.cf', reading(GOOD), log, () => undefined), null);
  });
});

describe('Reloader', () => {
  it('applies valid versions in the order the signals came, keeps the running one on an invalid file, and never rejects', async () => {
    const { lines, log } = recorder();
    const applied: number[] = [];
    let load = 0;
    const versions: Array<LvsConfig | null> = [parse(GOOD).config, null, parse(GOOD.replace('80', '81')).config, parse(GOOD.replace('80', '82')).config];
    const reloader = new Reloader({
      load: () => Promise.resolve(versions[load++] ?? null),
      apply: async (c) => {
        const port = c.virtuals[0]?.port ?? 0;
        await new Promise((resolve) => setImmediate(resolve));
        if (port === 82) throw new Error('netlink socket closed');
        applied.push(port);
      },
      log,
    });
    await Promise.all([reloader.reload(), reloader.reload(), reloader.reload(), reloader.reload()]);
    assert.deepEqual(applied, [80, 81]);
    assert.deepEqual(lines, ['configuration not reloaded: the running one is kept', 'reload failed: netlink socket closed']);
  });
});

describe('lvsd --drain-timeout', () => {
  it('refuses a value that is not a number of seconds with the usage exit code', () => {
    for (const bad of ['-1', 'soon', '']) {
      const r = spawnSync(process.execPath, [repoPath('bin/lvsd.js'), '-c', '/nonexistent/lvs.cf', '--drain-timeout', bad], { encoding: 'utf8' });
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, /--drain-timeout takes a number of seconds, 0 or more/);
    }
  });
});
