/**
 * Network namespaces for tests: each test makes its own (unique names), wires them with veth
 * pairs or a bridge, uses addresses only inside them, and deletes them afterwards. Code under
 * test runs inside a namespace as a child process (`ip netns exec`), since a process cannot move
 * its own threads between namespaces from JavaScript.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';

let counter = 0;

/** netnsUnavailable says why this machine cannot run namespace tests, or null when it can. */
export function netnsUnavailable(): string | null {
  if (process.getuid?.() !== 0) return 'namespace tests need root';
  const r = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  if (r.error !== undefined || r.status !== 0) return `'ip netns' does not work here: ${r.error?.message ?? r.stderr}`;
  return null;
}

/** ip runs `ip ARGS...` in the root namespace and returns its stdout (throws on failure). */
export function ip(...args: string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8' });
}

/** Netns is one namespace made by a test. */
export class Netns {
  private constructor(readonly name: string) {}

  /** create makes a namespace named `<prefix>-<pid>-<n>` with its loopback up. */
  static create(prefix: string): Netns {
    const name = `${prefix}-${process.pid}-${counter++}`.slice(0, 40);
    ip('netns', 'add', name);
    const ns = new Netns(name);
    ns.ip('link', 'set', 'lo', 'up');
    return ns;
  }

  /** ip runs `ip ARGS...` inside the namespace. */
  ip(...args: string[]): string {
    return execFileSync('ip', ['-n', this.name, ...args], { encoding: 'utf8' });
  }

  /** exec runs a program inside the namespace and returns its stdout (throws on failure). */
  exec(program: string, args: string[], input?: string): string {
    return execFileSync('ip', ['netns', 'exec', this.name, program, ...args], { encoding: 'utf8', ...(input === undefined ? {} : { input }) });
  }

  /** run runs a program inside the namespace and returns its status and output without throwing. */
  run(program: string, args: string[], options: { input?: string; timeoutMs?: number } = {}): { status: number | null; stdout: string; stderr: string } {
    const r = spawnSync('ip', ['netns', 'exec', this.name, program, ...args], {
      encoding: 'utf8',
      timeout: options.timeoutMs ?? 30_000,
      ...(options.input === undefined ? {} : { input: options.input }),
    });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  /** node runs a node script (a compiled file under dist/) inside the namespace, without throwing. */
  node(script: string, args: string[] = [], options: { timeoutMs?: number } = {}): { status: number | null; stdout: string; stderr: string } {
    return this.run(process.execPath, [script, ...args], options);
  }

  /** spawnNode starts a long-running node script inside the namespace (the caller ends it). */
  spawnNode(script: string, args: string[] = []): ReturnType<typeof spawn> {
    return spawn('ip', ['netns', 'exec', this.name, process.execPath, script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  }

  /** delete removes the namespace (and with it its interfaces). */
  delete(): void {
    spawnSync('ip', ['netns', 'delete', this.name]);
  }
}

/** link connects two namespaces with a veth pair, names each end, and brings both up. */
export function vethPair(a: Netns, aName: string, b: Netns, bName: string): void {
  const tmp = `vt${process.pid % 10000}${counter++}`;
  ip('link', 'add', `${tmp}a`, 'type', 'veth', 'peer', 'name', `${tmp}b`);
  ip('link', 'set', `${tmp}a`, 'netns', a.name);
  ip('link', 'set', `${tmp}b`, 'netns', b.name);
  a.ip('link', 'set', `${tmp}a`, 'name', aName);
  b.ip('link', 'set', `${tmp}b`, 'name', bName);
  a.ip('link', 'set', aName, 'up');
  b.ip('link', 'set', bName, 'up');
}
