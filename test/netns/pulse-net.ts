/**
 * A two-router network for pulse tests, made of namespaces this process creates and deletes: a
 * switch namespace with a flooding bridge (ageing 0, so a third namespace sees unicast
 * heartbeats too), routers A (primary, 10.77.0.1) and B (backup, 10.77.0.2), and a stranger C
 * (10.77.0.3). Optionally a second, private network 10.78.0.0/24 between A and B (eth1).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { Netns, vethPair } from '../helpers/netns.js';

/** PulseNet is the topology. */
export interface PulseNet {
  readonly a: Netns;
  readonly b: Netns;
  readonly c: Netns;
  readonly sw: Netns;
  readonly dir: string;
  destroy(): void;
}

/** pulseNet builds the topology. */
export function pulseNet(opts: { private?: boolean } = {}): PulseNet {
  const sw = Netns.create('pn-sw');
  const a = Netns.create('pn-a');
  const b = Netns.create('pn-b');
  const c = Netns.create('pn-c');
  sw.ip('link', 'add', 'br0', 'type', 'bridge', 'ageing_time', '0');
  sw.ip('link', 'set', 'br0', 'up');
  const attach = (ns: Netns, port: string, ifname: string, address: string, bridge: string): void => {
    vethPair(ns, ifname, sw, port);
    sw.ip('link', 'set', port, 'master', bridge);
    ns.ip('addr', 'add', address, 'dev', ifname);
  };
  attach(a, 'pa', 'eth0', '10.77.0.1/24', 'br0');
  attach(b, 'pb', 'eth0', '10.77.0.2/24', 'br0');
  attach(c, 'pc', 'eth0', '10.77.0.3/24', 'br0');
  if (opts.private === true) {
    sw.ip('link', 'add', 'br1', 'type', 'bridge', 'ageing_time', '0');
    sw.ip('link', 'set', 'br1', 'up');
    attach(a, 'qa', 'eth1', '10.78.0.1/24', 'br1');
    attach(b, 'qb', 'eth1', '10.78.0.2/24', 'br1');
  }
  const dir = mkdtempSync(join(tmpdir(), 'pulse-net-'));
  return {
    a,
    b,
    c,
    sw,
    dir,
    destroy: () => {
      for (const ns of [a, b, c, sw]) ns.delete();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** PairConfig are the settings of pairConfigText. */
export interface PairConfig {
  readonly keepalive?: number;
  readonly deadtime?: number;
  readonly private?: boolean;
  readonly keyFile?: string;
  readonly monitorLinks?: boolean;
  readonly vips?: number;
}

/** vipAddress is the i-th VIP of the test configurations: 10.77.1.100 and up. */
export function vipAddress(i: number): string {
  return `10.77.${1 + ((i + 100) >> 8)}.${(i + 100) & 0xff}`;
}

/** pairConfigText is an lvs.cf for routers A and B with VIPs 10.77.0.100.. on eth0:1... */
export function pairConfigText(c: PairConfig = {}): string {
  const lines = [
    'serial_no = 1',
    'primary = 10.77.0.1',
    ...(c.private === true ? ['primary_private = 10.78.0.1'] : []),
    'service = lvs',
    'backup_active = 1',
    'backup = 10.77.0.2',
    ...(c.private === true ? ['backup_private = 10.78.0.2'] : []),
    'heartbeat = 1',
    'heartbeat_port = 539',
    `keepalive = ${c.keepalive ?? 0.2}`,
    `deadtime = ${c.deadtime ?? 0.6}`,
    'network = direct',
    ...(c.monitorLinks === true ? ['monitor_links = 1'] : []),
    ...(c.keyFile === undefined ? [] : [`heartbeat_key_file = ${c.keyFile}`]),
  ];
  for (let i = 0; i < (c.vips ?? 1); i++)
    lines.push(
      `virtual web${i} {`,
      '     active = 1',
      `     address = ${vipAddress(i)} eth0:${i + 1}`,
      '     port = 80',
      '     protocol = tcp',
      '     scheduler = wlc',
      '     timeout = 6',
      '     reentry = 15',
      '     server s1 {',
      '         address = 10.77.0.10',
      '         active = 1',
      '         weight = 1',
      '     }',
      '}',
    );
  return `${lines.join('\n')}\n`;
}

/** writeConfig writes a configuration into the net's directory and returns its path. */
export function writeConfig(net: PulseNet, name: string, text: string): string {
  const path = join(net.dir, name);
  writeFileSync(path, text, { mode: 0o600 });
  return path;
}

/** Line is one output line and when the test process read it (performance.now()). */
export interface Line {
  readonly text: string;
  readonly at: number;
}

/** LineProcess collects a child's output lines and waits for patterns in them. */
export class LineProcess {
  readonly lines: Line[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private waiters: Array<() => void> = [];

  constructor(readonly child: ChildProcess) {
    const take = (stream: NodeJS.ReadableStream | null): void => {
      let rest = '';
      stream?.setEncoding('utf8');
      stream?.on('data', (chunk: string) => {
        const parts = (rest + chunk).split('\n');
        rest = parts.pop() ?? '';
        const at = performance.now();
        for (const text of parts) this.lines.push({ text, at });
        for (const w of this.waiters) w();
      });
    };
    take(child.stdout);
    take(child.stderr);
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  /** text is every line so far, joined. */
  text(): string {
    return this.lines.map((l) => l.text).join('\n');
  }

  /** find returns the first line from `from` on that matches. */
  find(re: RegExp, from = 0): Line | undefined {
    return this.lines.slice(from).find((l) => re.test(l.text));
  }

  /** waitFor resolves with the first line (from index `from`) matching `re`, or rejects after `timeoutMs`. */
  waitFor(re: RegExp, timeoutMs: number, from = 0): Promise<Line> {
    const hit = this.find(re, from);
    if (hit !== undefined) return Promise.resolve(hit);
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const l = this.find(re, from);
        if (l === undefined) return;
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== check);
        resolve(l);
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== check);
        reject(new Error(`no line matching ${re} within ${timeoutMs} ms; output:\n${this.text()}`));
      }, timeoutMs);
      this.waiters.push(check);
    });
  }

  /** stop sends a signal and waits for the end. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    this.child.kill(signal);
    return this.exited;
  }
}

/** PULSE is the built pulse program. */
export const PULSE = new URL('../../../bin/pulse.js', import.meta.url).pathname;
/** PEER is the scripted heartbeat peer. */
export const PEER = new URL('./scripts/heartbeat-peer.js', import.meta.url).pathname;

/**
 * startPulse runs pulse in a namespace in the foreground (-n) without lvsd (-t), with debug
 * lines (-v) unless `verbose` is false, announcing every VIP twice 0.2 s apart (`extra` comes
 * last and can override that). The process runs directly in the namespace (not under
 * `ip netns exec` wrappers that would swallow signals): `ip netns exec` execs the program.
 */
export function startPulse(ns: Netns, config: string, extra: readonly string[] = [], opts: { verbose?: boolean } = {}): LineProcess {
  const verbose = opts.verbose === false ? [] : ['-v'];
  const child = spawn('ip', ['netns', 'exec', ns.name, process.execPath, PULSE, '-n', '-t', ...verbose, '-c', config, '--announce-count', '2', '--announce-interval', '0.2', ...extra], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new LineProcess(child);
}

/** Peer is the scripted heartbeat peer (scripts/heartbeat-peer.ts) with its command input. */
export type Peer = LineProcess & { command(c: object): void };

/** startPeer runs the scripted heartbeat peer in a namespace and resolves once it listens. */
export async function startPeer(ns: Netns, local: string, partner: string, keyFile = '-', role = 'master'): Promise<Peer> {
  const child = spawn('ip', ['netns', 'exec', ns.name, process.execPath, PEER, local, partner, '539', keyFile, role], { stdio: ['pipe', 'pipe', 'pipe'] });
  const p = new LineProcess(child) as Peer;
  p.command = (c: object) => child.stdin?.write(`${JSON.stringify(c)}\n`);
  await p.waitFor(/"ready":true/, 10_000);
  return p;
}

/** vipsOn lists the VIPs (10.77.1.0 and up) present in a namespace. */
export function vipsOn(ns: Netns): string[] {
  return [...ns.ip('-4', '-o', 'addr', 'show').matchAll(/inet (10\.77\.[1-9]\d*\.\d+)\//g)].map((m) => m[1] as string);
}

/** until polls a condition every 20 ms until it holds or `timeoutMs` passes. */
export async function until(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!cond()) {
    if (performance.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** PairFixture is a pulseNet with the default pair configuration, for one describe block. */
export interface PairFixture {
  readonly net: PulseNet;
  readonly config: string;
  /** track registers a process to be killed (if still running) when the block ends. */
  track<T extends LineProcess>(p: T): T;
}

/** pairFixture builds a pulseNet and its lvs.cf (pairConfigText(c)) before the current describe block and tears both down after it. */
export function pairFixture(c: PairConfig = {}): PairFixture {
  const running: LineProcess[] = [];
  let net: PulseNet | null = null;
  let config = '';
  before(() => {
    net = pulseNet(c.private === true ? { private: true } : {});
    config = writeConfig(net, 'lvs.cf', pairConfigText(c));
  });
  after(async () => {
    for (const p of running) if (p.child.exitCode === null && p.child.signalCode === null) await p.stop('SIGKILL');
    net?.destroy();
  });
  return {
    get net(): PulseNet {
      if (net === null) throw new Error('pairFixture: used outside its describe block');
      return net;
    },
    get config(): string {
      return config;
    },
    track: (p) => (running.push(p), p),
  };
}
