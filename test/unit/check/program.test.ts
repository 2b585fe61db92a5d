/**
 * send_program against small shell scripts: %h/%p, exit codes, output rules, the timeout that
 * really kills (the whole process group), and output floods. Scripts live in a temporary directory.
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { judgeProgram, OUTPUT_LIMIT, programOutput } from '../../../src/check/program.js';
import { runCheck } from '../../../src/check/run.js';
import { checkSpecFromOptions, type NannyCheckOptions, type ProgramCheckSpec } from '../../../src/check/spec.js';
import type { CheckResult } from '../../../src/check/result.js';
import { ManualClock } from '../../../src/testing/manual-clock.js';

const TIMEOUT = 300;
const SLACK = 250;
let dir = '';

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'nanny-program-'));
});
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** script writes an executable /bin/sh script and returns its path. */
function script(name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

function spec(o: Partial<NannyCheckOptions> & { sendProgram: string }): ProgramCheckSpec {
  const { spec: s } = checkSpecFromOptions({ server: '127.0.0.1', rport: 8080, interval: TIMEOUT / 1000, ...o });
  assert.equal(s.kind, 'program');
  return s;
}

async function check(o: Partial<NannyCheckOptions> & { sendProgram: string }): Promise<CheckResult & { wallMs: number }> {
  const t0 = performance.now();
  const r = await runCheck(spec(o));
  return { ...r, wallMs: performance.now() - t0 };
}

/** alive tells whether a process exists and is not a zombie. */
function alive(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '')[0] !== 'Z';
  } catch {
    return false;
  }
}

/** goneSoon waits (up to a second, for the kernel to finish the kill) until none of `pids` runs. */
async function goneSoon(pids: readonly number[]): Promise<void> {
  for (let i = 0; i < 100 && pids.some(alive); i++) await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(pids.filter(alive), []);
}

const pidsIn = (file: string): number[] => readFileSync(file, 'utf8').trim().split(/\s+/).map(Number);

describe('send_program: arguments and output', () => {
  it('replaces %h and %p, whole words only, with no shell in between', async () => {
    const echo = script('args.sh', 'echo "$#:$*"');
    const r = await check({ sendProgram: `${echo} %h  %p --host=%h '$HOME' *`, expectString: "5:127.0.0.1 8080 --host=%h '$HOME' *" });
    assert.equal(r.ok, true, r.reason);
  });

  it('finds the program on PATH, as execvp did', async () => {
    assert.equal((await check({ sendProgram: 'echo %h', expectString: '127.0.0.1' })).ok, true);
  });

  it('drops one trailing newline, so printf without one also works (nanny dropped the last byte blindly)', async () => {
    assert.equal((await check({ sendProgram: script('nonl.sh', 'printf OK'), expectString: 'OK' })).ok, true);
    assert.equal((await check({ sendProgram: script('nl.sh', 'printf "OK\\n"'), expectString: 'OK' })).ok, true);
    assert.equal((await check({ sendProgram: script('nlnl.sh', 'printf "OK\\n\\n"'), expectString: 'OK' })).code, 'mismatch');
  });

  it('compares the output exactly: a mismatch is nanny\u2019s "Trouble" line', async () => {
    const r = await check({ sendProgram: script('bad.sh', 'echo DEGRADED'), expectString: 'OK' });
    assert.deepEqual([r.code, r.reason], ['mismatch', 'Trouble. Received results are not what we expected from (127.0.0.1:8080)']);
  });

  it('applies escapes to the expect string, not to the command', async () => {
    assert.equal((await check({ sendProgram: script('tab.sh', 'printf "a\\tb\\n"'), expectString: 'a\\tb' })).ok, true);
  });

  it('cuts the output at a NUL, as the C string did', async () => {
    assert.equal((await check({ sendProgram: script('nul.sh', 'printf "OK\\000junk\\n"'), expectString: 'OK' })).ok, true);
  });

  it('gives the program an empty stdin and ignores its stderr', async () => {
    const r = await check({ sendProgram: script('stdin.sh', 'cat; echo noise >&2; echo OK'), expectString: 'OK' });
    assert.equal(r.ok, true, r.reason);
  });

  it('without an expect string, exit status 0 is up and anything else down (nanny could never pass)', async () => {
    assert.equal((await check({ sendProgram: script('zero.sh', 'echo whatever') })).ok, true);
    const r = await check({ sendProgram: script('three.sh', 'exit 3') });
    assert.deepEqual([r.code, r.reason], ['program-failed', `The following exited abnormally: ${join(dir, 'three.sh')} (exit status 3)`]);
  });

  it('output equal to "*" is required for expect "*": the wildcard is a socket rule', async () => {
    assert.equal((await check({ sendProgram: 'echo hello', expectString: '*' })).code, 'mismatch');
  });

  it('programOutput and judgeProgram are pure', () => {
    assert.equal(Buffer.from(programOutput(Buffer.from('a\n'))).toString(), 'a');
    assert.equal(Buffer.from(programOutput(Buffer.from('a\0b\n'))).toString(), 'a');
    const s = spec({ sendProgram: '/x', expectString: 'a' });
    assert.deepEqual(judgeProgram(s, 0, null, Buffer.from('a\n'))[0], 'ok');
    assert.deepEqual(judgeProgram(s, null, 'SIGKILL', Buffer.from('a\n')), ['program-failed', 'The following exited abnormally: /x (killed by SIGKILL)']);
  });
});

describe('send_program: failures count as failures (nanny counted them as up)', () => {
  it('a non-zero exit fails even with the expected output', async () => {
    const r = await check({ sendProgram: script('okfail.sh', 'echo OK; exit 1'), expectString: 'OK' });
    assert.equal(r.code, 'program-failed');
    assert.match(r.reason, /^The following exited abnormally: .*okfail\.sh \(exit status 1\)$/);
  });

  it('death by a signal fails', async () => {
    const r = await check({ sendProgram: script('term.sh', 'echo OK; kill -TERM $$'), expectString: 'OK' });
    assert.deepEqual([r.code, r.reason.endsWith('(killed by SIGTERM)')], ['program-failed', true]);
  });

  it('a program that does not exist, or cannot be executed, fails', async () => {
    const missing = await check({ sendProgram: join(dir, 'missing') + ' %h', expectString: 'OK' });
    assert.deepEqual([missing.code, missing.reason], ['program-not-run', `could not run the following: ${join(dir, 'missing')} 127.0.0.1 (No such file or directory)`]);
    const plain = join(dir, 'plain.txt');
    writeFileSync(plain, 'echo OK\n');
    const denied = await check({ sendProgram: plain, expectString: 'OK' });
    assert.deepEqual([denied.code, denied.reason.endsWith('(Permission denied)')], ['program-not-run', true]);
  });
});

describe('send_program: the timeout really fires', () => {
  it('a script that sleeps forever is killed at the deadline with its children', async (t) => {
    const pids = join(dir, 'sleep.pids');
    const r = await check({ sendProgram: script('sleep.sh', `sleep 1000 & echo $$ $! > ${pids}; wait`), expectString: 'OK' });
    t.diagnostic(`verdict after ${r.wallMs.toFixed(0)} ms (deadline ${TIMEOUT} ms)`);
    assert.deepEqual([r.code, r.reason], ['program-timeout', `timeout running the following: ${join(dir, 'sleep.sh')}`]);
    assert.ok(r.durationMs >= TIMEOUT - 1 && r.wallMs < TIMEOUT + SLACK);
    await goneSoon(pidsIn(pids));
  });

  it('on an injected clock the deadline kills without any waiting', async () => {
    const pids = join(dir, 'clock.pids');
    const clock = new ManualClock();
    const started = join(dir, 'clock.started');
    const result = runCheck(spec({ sendProgram: script('clock.sh', `echo $$ > ${pids}; touch ${started}; exec sleep 1000`), interval: 3600 }), { clock });
    for (let i = 0; i < 500 && !exists(started); i++) await new Promise((r) => setTimeout(r, 5));
    await clock.advance(3_600_000);
    const r = await result;
    assert.deepEqual([r.code, r.durationMs], ['program-timeout', 3_600_000]);
    await goneSoon(pidsIn(pids));
  });

  it('a program that exits 0 but leaves a child holding stdout is judged at the deadline, and the child killed', async () => {
    const pids = join(dir, 'bg.pids');
    const r = await check({ sendProgram: script('bg.sh', `echo OK; sleep 1000 & echo $! > ${pids}; exit 0`), expectString: 'OK' });
    assert.equal(r.ok, true, r.reason);
    assert.ok(r.wallMs < TIMEOUT + SLACK);
    await goneSoon(pidsIn(pids));
  });

  it('an aborted check kills the program', async () => {
    const pids = join(dir, 'abort.pids');
    const started = join(dir, 'abort.started');
    const ac = new AbortController();
    const result = runCheck(spec({ sendProgram: script('abort.sh', `echo $$ > ${pids}; touch ${started}; exec sleep 1000`), interval: 3600 }), { signal: ac.signal });
    for (let i = 0; i < 500 && !exists(started); i++) await new Promise((r) => setTimeout(r, 5));
    ac.abort();
    assert.equal((await result).code, 'aborted');
    await goneSoon(pidsIn(pids));
  });
});

describe('send_program: output floods stay bounded', () => {
  it(`a program that never stops writing is killed at the deadline; ${OUTPUT_LIMIT} bytes are kept`, async () => {
    const r = await check({ sendProgram: 'yes', expectString: 'y' });
    assert.deepEqual([r.code, r.bytesRead], ['program-timeout', OUTPUT_LIMIT]);
    assert.ok(r.wallMs < TIMEOUT + SLACK);
  });

  it('a program that writes 1 MiB and exits is not blocked on a full pipe (nanny deadlocked past 64 KiB)', async () => {
    const r = await check({ sendProgram: script('mib.sh', 'head -c 1048576 /dev/zero | tr "\\000" A; echo'), expectString: 'AAAA' });
    assert.deepEqual([r.code, r.bytesRead], ['mismatch', OUTPUT_LIMIT]);
    assert.ok(r.wallMs < TIMEOUT, `took ${r.wallMs.toFixed(0)} ms`);
  });
});

function exists(path: string): boolean {
  try {
    readFileSync(path);
    return true;
  } catch {
    return false;
  }
}
