/**
 * A real lvsd for the VM suites: started from bin/lvsd.js (optionally inside a namespace), its
 * output collected, its readiness message and its exit awaited; its status read with
 * `lvsd --status`. Also `until`, which polls a condition under a generous deadline (the VM is
 * emulated, so no timing is asserted).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import type { Netns } from '../helpers/netns.js';

/** LVSD is the lvsd launcher of this checkout. */
export const LVSD = new URL('../../../bin/lvsd.js', import.meta.url).pathname;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** until polls `test` every `everyMs` until it returns true, and throws with `explain()` after `ms`. */
export async function until(what: string, test: () => boolean | Promise<boolean>, explain: () => string = () => '', ms = 60_000, everyMs = 250): Promise<void> {
  const end = Date.now() + ms;
  while (!(await test())) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}:\n${explain()}`);
    await sleep(everyMs);
  }
}

/** RunningLvsd is an lvsd process started by a suite. */
export interface RunningLvsd {
  readonly child: ChildProcess;
  /** output is everything it printed so far (stdout and stderr). */
  output(): string;
  /** exited resolves with its exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
}

/** startLvsd starts lvsd with `args` (in `ns` when given) and, unless it runs in a namespace, waits for its readiness message. */
export async function startLvsd(args: string[], ns?: Netns): Promise<RunningLvsd> {
  const child =
    ns === undefined
      ? spawn(process.execPath, [LVSD, ...args], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] })
      : spawn('ip', ['netns', 'exec', ns.name, process.execPath, LVSD, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (out += d));
  // 'close' comes after the last output has been read.
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  const running: RunningLvsd = { child, output: () => out, exited };
  if (ns === undefined) {
    const ready = new Promise<boolean>((resolve) => child.on('message', (m: { type?: string }) => m.type === 'ready' && resolve(true)));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), 120_000)));
    // The timer is cleared: left running, it would hold the suite's process open for two minutes.
    const result = await Promise.race([ready, exited.then(() => false), timeout]);
    clearTimeout(timer);
    if (!result) {
      child.kill('SIGKILL');
      throw new Error(`lvsd did not become ready:\n${out}`);
    }
  }
  return running;
}

/**
 * lvsdStatus runs `lvsd --status` and returns its document, parsed (numbers lose precision above
 * 2^53). It does not block: real servers of a suite may live in the suite's own process.
 */
export async function lvsdStatus(socket: string): Promise<StatusView> {
  const { stdout } = await promisify(execFile)(process.execPath, [LVSD, '--status', '--status-socket', socket], { encoding: 'utf8' });
  return JSON.parse(stdout) as StatusView;
}

/** Counters as the status document writes them. */
export interface CountersView {
  connections: number;
  packetsIn: number;
  packetsOut: number;
  bytesIn: number;
  bytesOut: number;
}

/** StatusView is the part of the status document the suites read. */
export interface StatusView {
  version: number;
  checkers: Array<{ name: string; program: string; pid: number | null; restarts: number; running: boolean }>;
  services: Array<{
    name: string;
    ipvs: string;
    monitor: string;
    inKernel: boolean;
    counters: CountersView | null;
    servers: Array<{ name: string; address: string; port: number; health: string; kernelWeight: number | null; counters: CountersView | null }>;
    sorryServer: { inUse: boolean } | null;
  }>;
}
