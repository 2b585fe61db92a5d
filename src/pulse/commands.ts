/**
 * active_cmd and inactive_cmd (reference piranha.md §2.5): split on blanks into an argv, run
 * without a shell, not waited for. piranha split on single spaces, so that consecutive spaces
 * gave empty arguments; here runs of blanks separate words (an empty argument is never what the
 * author meant).
 */
import { spawn } from 'node:child_process';

/** splitCommand splits a command line on blanks. */
export function splitCommand(command: string): string[] {
  return command.split(/[ \t]+/).filter((w) => w.length > 0);
}

/** CommandRun says how a run went, for the log. */
export interface CommandRun {
  readonly pid: number | null;
  /** error is set when the program could not be started. */
  readonly error: Error | null;
}

/**
 * runCommand starts a command detached from our stdio and returns at once; `onExit` receives its
 * pid when it ends (piranha logged such ends as "Skipping death of unknown child").
 */
export function runCommand(command: string, onExit: (pid: number) => void): CommandRun {
  const argv = splitCommand(command);
  const [file, ...args] = argv;
  if (file === undefined) return { pid: null, error: new Error('empty command') };
  try {
    const child = spawn(file, args, { stdio: 'ignore' });
    let failed: Error | null = null;
    child.once('error', (e) => (failed = e));
    child.once('exit', () => {
      if (failed === null && child.pid !== undefined) onExit(child.pid);
    });
    return { pid: child.pid ?? null, error: child.pid === undefined ? new Error(`cannot run ${file}`) : null };
  } catch (e) {
    return { pid: null, error: e as Error };
  }
}
