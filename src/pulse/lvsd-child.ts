/**
 * lvsd as pulse's child (reference piranha.md §2.5 step 2): started with `--nofork -c FILE`
 * (`--nodaemon` when pulse runs in the foreground, `-v` with pulse -v), over an IPC channel on
 * which it says `{type: 'ready'}` once the table is programmed. piranha waited for a POSIX
 * semaphore for up to 10 s, then killed lvsd and exited; here a late lvsd is killed and counted
 * as a failed child (CHILDFAIL), so the partner can take over while pulse stays up.
 *
 * The channel also guards against pulse's own death: lvsd stops (removing its services) when
 * the channel closes.
 */
import { spawn, type ChildProcess } from 'node:child_process';

/** READY_TIMEOUT_MS is piranha's semaphore wait. */
export const READY_TIMEOUT_MS = 10_000;
/** STOP_TIMEOUT_MS bounds the wait for lvsd to end after SIGTERM before it is killed. */
export const STOP_TIMEOUT_MS = 15_000;

/** LvsdCommand is the program and arguments that start lvsd. */
export interface LvsdCommand {
  readonly file: string;
  readonly args: readonly string[];
}

/** lvsdCommand builds lvsd's command line. A `.js` program is run by this node. */
export function lvsdCommand(program: string, configFile: string, opts: { foreground: boolean; verbose: boolean }): LvsdCommand {
  const args = [opts.foreground ? '--nodaemon' : '--nofork', '-c', configFile, ...(opts.verbose ? ['-v'] : [])];
  return program.endsWith('.js') ? { file: process.execPath, args: [program, ...args] } : { file: program, args };
}

/** ChildEnd is how a child ended: an exit code or a signal number. */
export interface ChildEnd {
  readonly pid: number;
  readonly code: number | null;
  readonly signal: number | null;
}

/** LvsdStartError says why lvsd did not become ready. */
export class LvsdStartError extends Error {
  constructor(
    readonly code: 'SPAWN' | 'EXITED' | 'TIMEOUT' | 'CANCELLED',
    message: string,
    readonly end: ChildEnd | null,
  ) {
    super(message);
    this.name = 'LvsdStartError';
  }
}

const SIGNALS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGABRT: 6, SIGKILL: 9, SIGSEGV: 11, SIGPIPE: 13, SIGALRM: 14, SIGTERM: 15 };

/** signalNumber maps a node signal name to its Linux number (0 when unknown). */
export function signalNumber(name: NodeJS.Signals | null): number | null {
  return name === null ? null : (SIGNALS[name] ?? 0);
}

/** LvsdChild is one running lvsd. */
export class LvsdChild {
  private stopping = false;
  private readonly ended: Promise<ChildEnd>;

  private constructor(
    private readonly child: ChildProcess,
    readonly pid: number,
  ) {
    this.ended = new Promise((resolve) => child.once('exit', (code, sig) => resolve({ pid, code, signal: signalNumber(sig) })));
  }

  /**
   * start runs lvsd and resolves once it is ready. `onUnexpectedExit` is called when it ends
   * later without having been asked to stop. It rejects with LvsdStartError (the child killed).
   */
  static async start(cmd: LvsdCommand, opts: { timeoutMs?: number; signal?: AbortSignal; onUnexpectedExit: (end: ChildEnd) => void }): Promise<LvsdChild> {
    // Its own process group, so that killing a hung lvsd also kills the checkers it started.
    const child = spawn(cmd.file, [...cmd.args], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], detached: true });
    if (child.pid === undefined) {
      const err = await new Promise<Error>((resolve) => child.once('error', resolve));
      throw new LvsdStartError('SPAWN', `cannot run ${cmd.file}: ${err.message}`, null);
    }
    const me = new LvsdChild(child, child.pid);
    const timeoutMs = opts.timeoutMs ?? READY_TIMEOUT_MS;
    const outcome = await new Promise<'ready' | 'timeout' | 'cancelled' | ChildEnd>((resolve) => {
      const finish = (o: 'ready' | 'timeout' | 'cancelled' | ChildEnd): void => {
        clearTimeout(timer);
        opts.signal?.removeEventListener('abort', onAbort);
        child.off('message', onMessage);
        resolve(o);
      };
      const timer = setTimeout(() => finish('timeout'), timeoutMs);
      const onAbort = (): void => finish('cancelled');
      const onMessage = (m: unknown): void => {
        if (typeof m === 'object' && m !== null && (m as { type?: unknown }).type === 'ready') finish('ready');
      };
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      child.on('message', onMessage);
      void me.ended.then(finish);
      if (opts.signal?.aborted === true) finish('cancelled');
    });
    if (outcome === 'ready') {
      void me.ended.then((end) => {
        if (!me.stopping) opts.onUnexpectedExit(end);
      });
      return me;
    }
    if (typeof outcome === 'object') throw new LvsdStartError('EXITED', `lvsd exited before it was ready (${describeEnd(outcome)})`, outcome);
    me.stopping = true;
    me.killGroup();
    const end = await me.ended;
    if (outcome === 'cancelled') throw new LvsdStartError('CANCELLED', 'lvsd start cancelled', end);
    throw new LvsdStartError('TIMEOUT', `lvsd was not ready within ${timeoutMs / 1000} s; killed it`, end);
  }

  /** killGroup sends SIGKILL to lvsd's process group (lvsd and its checkers). */
  private killGroup(): void {
    try {
      process.kill(-this.pid, 'SIGKILL');
    } catch {
      this.child.kill('SIGKILL');
    }
  }

  /** hup passes SIGHUP on (pulse's reload). */
  hup(): void {
    if (!this.stopping) this.child.kill('SIGHUP');
  }

  /** stop sends SIGTERM and waits for the end, killing lvsd after STOP_TIMEOUT_MS. */
  async stop(timeoutMs = STOP_TIMEOUT_MS): Promise<ChildEnd> {
    this.stopping = true;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.killGroup(), timeoutMs);
    try {
      return await this.ended;
    } finally {
      clearTimeout(timer);
    }
  }
}

/** describeEnd renders an end as `exit 1` or `signal 9`. */
export function describeEnd(end: ChildEnd): string {
  return end.signal !== null ? `signal ${end.signal}` : `exit ${end.code ?? 0}`;
}
