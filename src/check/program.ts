/**
 * The send_program shell: run argv (no shell; PATH lookup as execvp), stdin and stderr on
 * /dev/null, stdout kept up to OUTPUT_LIMIT bytes, and judge exit status and output.
 *
 * Fixed on purpose (piranha 0.8.6 behaved otherwise, §4.5 and §7.2 items 3-4):
 * - the timeout fires: at the deadline the child's whole process group gets SIGKILL (nanny's
 *   alarm() never interrupted waitpid, so a hung script hung nanny) and the check fails;
 * - a non-zero exit, a death by signal, or a program that cannot be started fails the check
 *   (nanny counted those as "didn't get anything back" = up when an expect string was set);
 * - without an expect string, exit status 0 passes (nanny could never pass such a check);
 * - only a trailing newline is dropped from the output (nanny dropped the last byte blindly);
 * - stdout is drained while the program runs, so a chatty program cannot block on a full pipe.
 * Kept: the output, cut at its first NUL as a C string is, must equal the expect string
 * exactly (`*` and --regex do not apply here).
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import { Attempt, clockOf, type Outcome, type RunOptions } from './attempt.js';
import { Reasons, hostPort, type CheckResult } from './result.js';
import type { ProgramCheckSpec } from './spec.js';

/** OUTPUT_LIMIT is how much program output is kept (nanny read at most 4095 bytes). */
export const OUTPUT_LIMIT = 4095;

/** programOutput turns raw output into what is compared: one trailing newline dropped, cut at the first NUL. */
export function programOutput(raw: Uint8Array): Uint8Array {
  const nul = raw.indexOf(0);
  let out = nul === -1 ? raw : raw.subarray(0, nul);
  if (nul === -1 && out.length > 0 && out[out.length - 1] === 0x0a) out = out.subarray(0, out.length - 1);
  return out;
}

/** judgeProgram decides a finished program's check from its exit and output. */
export function judgeProgram(spec: ProgramCheckSpec, code: number | null, signal: string | null, output: Uint8Array): Outcome {
  if (code !== 0) return ['program-failed', Reasons.programFailed(spec.argv, code === null ? `killed by ${signal ?? 'a signal'}` : `exit status ${code}`)];
  if (spec.expect === null) return ['ok', `${spec.argv[0] ?? ''} exited 0`];
  const got = programOutput(output);
  return Buffer.from(got).equals(spec.expect) ? ['ok', `output of ${spec.argv[0] ?? ''} for ${hostPort(spec.host, spec.port)} as expected`] : ['mismatch', Reasons.mismatch(spec.host, spec.port)];
}

/** runProgramCheck runs a send_program check; it never rejects. */
export function runProgramCheck(spec: ProgramCheckSpec, options: RunOptions = {}): Promise<CheckResult> {
  const chunks: Buffer[] = [];
  let kept = 0;
  let exit: { code: number | null; signal: string | null } | null = null;
  const attempt = new Attempt(clockOf(options), spec.timeoutMs, options.signal, (): Outcome => {
    // The program itself has exited but something it started still holds stdout: judge what we have.
    if (exit !== null) return judgeProgram(spec, exit.code, exit.signal, Buffer.concat(chunks));
    return ['program-timeout', Reasons.programTimedOut(spec.argv)];
  });
  if (attempt.settled) return attempt.done;

  const [file, ...args] = spec.argv;
  let child: ChildProcessByStdio<null, Readable, null>;
  try {
    child = spawn(file ?? '', args, { stdio: ['ignore', 'pipe', 'ignore'], detached: true, shell: false });
  } catch (err) {
    attempt.finish('program-not-run', Reasons.programNotRun(spec.argv, err));
    return attempt.done;
  }
  let closed = false;
  attempt.onCleanup(() => {
    child.stdout.destroy();
    // Unless it ended normally, nothing the program started may outlive the check.
    if (!closed && child.pid !== undefined) killGroup(child.pid);
  });
  child.on('error', (err) => attempt.finish('program-not-run', Reasons.programNotRun(spec.argv, err)));
  child.stdout.on('data', (chunk: Buffer) => {
    const take = Math.min(chunk.length, OUTPUT_LIMIT - kept);
    if (take > 0) {
      chunks.push(chunk.subarray(0, take));
      kept += take;
      attempt.bytesRead = kept;
    }
  });
  child.on('exit', (code, signal) => {
    exit = { code, signal };
    if (code !== 0) attempt.finish(...judgeProgram(spec, code, signal, Buffer.alloc(0)));
  });
  child.on('close', (code: number | null, signal: string | null) => {
    closed = true;
    attempt.finish(...judgeProgram(spec, code, signal, Buffer.concat(chunks)));
  });
  return attempt.done;
}

/** killGroup sends SIGKILL to a process group (the child was started as its leader), if any of it is left. */
function killGroup(pgid: number): void {
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    // ESRCH: the group has already gone.
  }
}
