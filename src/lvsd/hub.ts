/**
 * CheckerHub: the health checkers of lvsd, as a few `nanny --multi` child processes (shards)
 * instead of piranha's one process per real server. Targets are spread over the shards by id;
 * a shard that dies is reported (for hard_shutdown) and, unless told to stop, restarted with
 * backoff and given its targets again.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { CheckTarget } from './targets.js';

/** CheckerEvent is what a checker reports about a target. */
export interface CheckerEvent {
  readonly id: string;
  readonly state: 'up' | 'down' | 'weight';
  readonly weight: number;
  readonly reason: string;
}

/** CheckerProcess describes one checker process for status: a hub shard or an external client_monitor. */
export interface CheckerProcess {
  /** name is "checker N" for a shard, "virtual/server" for a client_monitor program. */
  readonly name: string;
  readonly program: string;
  readonly pid: number | null;
  readonly restarts: number;
  /** servers is how many real servers it checks. */
  readonly servers: number;
}

/** HubOptions wire the hub to its parent. */
export interface HubOptions {
  /** command starts one checker: program and arguments (default: this package's nanny --multi). */
  readonly command: readonly string[];
  readonly shards: number;
  readonly onEvent: (e: CheckerEvent) => void;
  readonly onLog: (text: string) => void;
  /** onDeath reports a checker that died; returning false stops the restart (hard_shutdown). */
  readonly onDeath: (shard: number, code: number | null, signal: NodeJS.Signals | null) => boolean;
}

interface Shard {
  child: ChildProcess | null;
  readonly targets: Map<string, CheckTarget>;
  restarts: number;
}

function hash(id: string): number {
  let h = 2166136261;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** CheckerHub runs the checkers of lvsd. */
export class CheckerHub {
  private readonly shards: Shard[];
  private stopping = false;

  constructor(private readonly options: HubOptions) {
    this.shards = Array.from({ length: Math.max(1, options.shards) }, () => ({ child: null, targets: new Map<string, CheckTarget>(), restarts: 0 }));
  }

  /** add starts checking a target; `running` starts its checker from "up at the configured weight". */
  add(target: CheckTarget, running = false): void {
    const shard = this.shards[hash(target.id) % this.shards.length] as Shard;
    shard.targets.set(target.id, target);
    this.send(shard, { op: 'add', id: target.id, options: target.options, ...(running ? { running: true } : {}) });
  }

  /** remove stops checking a target. */
  remove(id: string): void {
    for (const shard of this.shards)
      if (shard.targets.delete(id)) this.send(shard, { op: 'remove', id });
  }

  /** pids lists the running checkers' process ids. */
  pids(): number[] {
    return this.shards.flatMap((s) => (s.child?.pid === undefined ? [] : [s.child.pid]));
  }

  /** describe lists the shards for status (a shard with no servers yet has never been started). */
  describe(): CheckerProcess[] {
    const program = this.options.command.join(' ');
    return this.shards.map((s, i) => ({ name: `checker ${i}`, program, pid: s.child?.pid ?? null, restarts: s.restarts, servers: s.targets.size }));
  }

  /** stop ends every checker and waits for them. */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(
      this.shards.map(async (s) => {
        const child = s.child;
        if (child === null || child.exitCode !== null) return;
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.stdin?.end();
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }),
    );
  }

  private send(shard: Shard, message: Record<string, unknown>): void {
    const child = shard.child ?? this.start(shard);
    child.stdin?.write(`${JSON.stringify(message)}\n`);
  }

  private start(shard: Shard): ChildProcess {
    const [program, ...args] = this.options.command;
    const child = spawn(program as string, args, { stdio: ['pipe', 'pipe', 'inherit'] });
    shard.child = child;
    child.stdin?.on('error', () => undefined);
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => this.receive(line));
    child.once('exit', (code, signal) => {
      shard.child = null;
      if (this.stopping) return;
      const index = this.shards.indexOf(shard);
      if (!this.options.onDeath(index, code, signal)) return;
      const delay = Math.min(30_000, 100 * 2 ** shard.restarts++);
      setTimeout(() => {
        if (this.stopping) return;
        for (const t of shard.targets.values()) this.send(shard, { op: 'add', id: t.id, options: t.options });
      }, delay).unref();
    });
    return child;
  }

  private receive(line: string): void {
    let m: { type?: string; id?: string; state?: string; weight?: number; reason?: string; text?: string; message?: string };
    try {
      m = JSON.parse(line) as typeof m;
    } catch {
      this.options.onLog(`checker said: ${line.slice(0, 200)}`);
      return;
    }
    if (m.type === 'change' && m.id !== undefined && (m.state === 'up' || m.state === 'down' || m.state === 'weight'))
      this.options.onEvent({ id: m.id, state: m.state, weight: m.weight ?? 0, reason: m.reason ?? '' });
    else if (m.type === 'log' && m.text !== undefined) this.options.onLog(m.text);
    else if (m.type === 'error') this.options.onLog(`checker error${m.id === undefined || m.id === null ? '' : ` for ${m.id}`}: ${m.message ?? ''}`);
  }
}
