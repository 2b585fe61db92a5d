/**
 * ExternalMonitors: the client_monitor programs of lvsd, one process per real server, started
 * with piranha's nanny argv (client-monitor.ts). Each program keeps its own IPVS destination; lvsd
 * reads its output for `[ active ]` / `[inactive]`, supervises it (a program that dies is reported
 * for hard_shutdown and otherwise restarted with backoff), and stops it with SIGTERM so that it can
 * remove its entry, as piranha's lvsd did.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { systemClock, type Clock, type Timer } from '../clock.js';
import type { IpvsClient } from '../ipvs/client.js';
import { IpvsError } from '../ipvs/errors.js';
import { clientMonitorArgv, monitorDestination, monitorLineState, type LvsdFlags } from './client-monitor.js';
import type { CheckerEvent, CheckerProcess } from './hub.js';
import type { CheckTarget } from './targets.js';

/** STOP_GRACE_MS is how long a program may take to clean up after SIGTERM before it is killed. */
const STOP_GRACE_MS = 5000;
/** OUTPUT_GRACE_MS is how long its output is still read after it exited. */
const OUTPUT_GRACE_MS = 1000;

/** ExternalMonitorsOptions wire the programs to lvsd. */
export interface ExternalMonitorsOptions {
  readonly flags: LvsdFlags;
  readonly onEvent: (e: CheckerEvent) => void;
  readonly onLog: (text: string) => void;
  /** onDeath reports a program that died; returning false leaves it dead (hard_shutdown). */
  readonly onDeath: (target: CheckTarget, code: number | null, signal: NodeJS.Signals | null) => boolean;
  /**
   * prepare runs before programs start, once for all that start together: it makes sure their
   * services exist and removes leftover destinations of their servers. Its failure is logged and
   * the programs start anyway.
   */
  readonly prepare: (targets: readonly CheckTarget[]) => Promise<void>;
  readonly clock?: Clock;
}

interface Entry {
  readonly target: CheckTarget;
  child: ChildProcess | null;
  restarts: number;
  timer: Timer | null;
}

/** ExternalMonitors runs the client_monitor programs. */
export class ExternalMonitors {
  private readonly entries = new Map<string, Entry>();
  private readonly exiting = new Set<Promise<void>>();
  private queue: Entry[] = [];
  private stopping = false;
  private readonly clock: Clock;

  constructor(private readonly options: ExternalMonitorsOptions) {
    this.clock = options.clock ?? systemClock;
  }

  /** add starts the program of a target (after prepare, together with the others added in the same turn). */
  add(target: CheckTarget): void {
    if (target.external === null || this.stopping) return;
    this.remove(target.id);
    const entry: Entry = { target, child: null, restarts: 0, timer: null };
    this.entries.set(target.id, entry);
    this.enqueue(entry);
  }

  /** remove stops a target's program with SIGTERM (it removes its own entry). */
  remove(id: string): void {
    const entry = this.entries.get(id);
    if (entry === undefined) return;
    this.entries.delete(id);
    entry.timer?.cancel();
    if (entry.child !== null) this.terminate(entry.child);
  }

  /** describe lists the programs for status. */
  describe(): CheckerProcess[] {
    return [...this.entries.values()].map((e) => ({
      name: e.target.label,
      program: e.target.external?.program ?? '',
      pid: e.child?.pid ?? null,
      restarts: e.restarts,
      servers: 1,
    }));
  }

  /** stop ends every program with SIGTERM and waits for them (killing those that take longer than 5 s). */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const id of [...this.entries.keys()]) this.remove(id);
    await Promise.all(this.exiting);
  }

  private enqueue(entry: Entry): void {
    this.queue.push(entry);
    if (this.queue.length === 1) queueMicrotask(() => void this.flush());
  }

  private async flush(): Promise<void> {
    const batch = this.queue;
    this.queue = [];
    try {
      await this.options.prepare(batch.map((e) => e.target));
    } catch (e) {
      this.options.onLog(`client_monitor set-up failed: ${(e as Error).message}`);
    }
    for (const entry of batch) if (!this.stopping && this.entries.get(entry.target.id) === entry) this.start(entry);
  }

  private start(entry: Entry): void {
    const { target } = entry;
    if (target.external === null) return;
    const [program, ...args] = clientMonitorArgv(target.external, target.options, this.options.flags);
    const child = spawn(program as string, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    entry.child = child;
    const weight = Number(target.options.weight ?? '1');
    const read = (stream: NodeJS.ReadableStream | null): void => {
      if (stream === null) return;
      createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => {
        this.options.onLog(`${target.label}: ${line}`);
        const state = monitorLineState(line);
        if (state !== null && this.entries.get(target.id) === entry) this.options.onEvent({ id: target.id, state, weight: state === 'up' ? weight : 0, reason: line });
      });
    };
    read(child.stdout);
    read(child.stderr);
    let ended = false;
    const onEnd = (code: number | null, signal: NodeJS.Signals | null): void => {
      if (ended) return;
      ended = true;
      if (entry.child === child) entry.child = null;
      if (this.stopping || this.entries.get(target.id) !== entry) return;
      if (!this.options.onDeath(target, code, signal)) return;
      this.options.onEvent({ id: target.id, state: 'down', weight: 0, reason: `${target.external?.program ?? 'client_monitor'} died` });
      const delay = Math.min(30_000, 100 * 2 ** entry.restarts++);
      entry.timer = this.clock.setTimer(delay, () => {
        entry.timer = null;
        if (!this.stopping && this.entries.get(target.id) === entry) this.enqueue(entry);
      });
    };
    child.once('exit', onEnd);
    child.once('error', (e) => {
      this.options.onLog(`${target.label}: cannot run ${program as string}: ${e.message}`);
      onEnd(null, null);
    });
  }

  private terminate(child: ChildProcess): void {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
    const exited = new Promise<void>((resolve) => {
      const kill = this.clock.setTimer(STOP_GRACE_MS, () => child.kill('SIGKILL'));
      let drain: Timer | null = null;
      // Its last lines ("[inactive] ...") are read by 'close'; a grandchild holding the pipe open must not hold lvsd up.
      child.once('exit', () => {
        kill.cancel();
        drain = this.clock.setTimer(OUTPUT_GRACE_MS, resolve);
      });
      child.once('close', () => {
        drain?.cancel();
        resolve();
      });
    });
    this.exiting.add(exited);
    void exited.then(() => this.exiting.delete(exited));
    child.kill('SIGTERM');
  }
}

/**
 * removeLeftovers deletes the destinations the monitors of `targets` are about to keep, where the
 * table still has them (from a monitor that died, or an lvsd that crashed): every monitor starts,
 * as piranha's nanny did, with its server absent. It returns what it could not delete, as text.
 */
export async function removeLeftovers(client: Pick<IpvsClient, 'deleteDestination'>, targets: readonly CheckTarget[]): Promise<string[]> {
  const failures: string[] = [];
  await Promise.all(
    targets.map(async (t) => {
      const d = monitorDestination(t.options);
      if (d === null) return;
      try {
        await client.deleteDestination(d.key, d.destination);
      } catch (e) {
        // Absent (no service, or no such destination) is the usual case.
        if (!(e instanceof IpvsError && (e.code === 'ESRCH' || e.code === 'ENOENT'))) failures.push(`${t.label}: ${(e as Error).message}`);
      }
    }),
  );
  return failures;
}
