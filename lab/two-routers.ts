/**
 * The two-router lab: routers A (primary) and B (backup) running pulse (and, on the active one,
 * lvsd and its checkers) with etc/lab/lvs.cf, three real servers and a client, each in its own
 * network namespace on one L2 segment (LVS direct routing). Needs a kernel with IPVS: on a host
 * without it, run it inside the IPVS VM (test/vm/run). Addresses exist only inside the
 * namespaces:
 *
 *   switch  br0 (every namespace below has one veth port on it)
 *   client  c0 198.51.100.2/24, 10.200.0.0/24 on-link
 *   A       d0 10.200.0.1/24   (primary; the VIP 198.51.100.10 on d0:1 while active)
 *   B       d0 10.200.0.2/24   (backup)
 *   rsN     eth0 10.200.0.(10+N)/24, VIP/32 on lo, arp_ignore=1, arp_announce=2
 */
import { execFileSync, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Netns } from '../test/helpers/netns.js';
import { LineProcess } from '../test/netns/pulse-net.js';

/** VIP is the lab's virtual service address (port 80). */
export const VIP = '198.51.100.10';
/** LAB_CONFIG is the lab's lvs.cf. */
export const LAB_CONFIG = fileURLToPath(new URL('../../etc/lab/lvs.cf', import.meta.url));

const PULSE = fileURLToPath(new URL('../../bin/pulse.js', import.meta.url));
const LVSADM = fileURLToPath(new URL('../../bin/lvsadm.js', import.meta.url));
const REAL_SERVER = fileURLToPath(new URL('../test/vm/lab-scripts/real-server.js', import.meta.url));
const CLIENT = fileURLToPath(new URL('../test/vm/lab-scripts/client.js', import.meta.url));

/** Answer is one client request's outcome, stamped with the wall clock. */
export interface Answer {
  readonly at: number;
  readonly server: string | null;
  readonly error?: string;
}

/** RouterName names a router. */
export type RouterName = 'A' | 'B';

/** TwoRouterLab is a running lab. */
export class TwoRouterLab {
  readonly pulses: Partial<Record<RouterName, LineProcess>> = {};
  private readonly servers: LineProcess[] = [];
  private destroyed = false;

  private constructor(
    readonly routers: Record<RouterName, Netns>,
    readonly client: Netns,
    readonly realServers: readonly Netns[],
    private readonly all: readonly Netns[],
    private readonly onLine: (router: RouterName, text: string) => void,
  ) {}

  /** build makes the namespaces and starts the real servers. */
  static async build(onLine: (router: RouterName, text: string) => void = () => undefined): Promise<TwoRouterLab> {
    const made: Netns[] = [];
    const make = (role: string): Netns => {
      const ns = Netns.create(`lab-${role}`);
      made.push(ns);
      return ns;
    };
    try {
      const sw = make('sw');
      const a = make('a');
      const b = make('b');
      const client = make('cli');
      const rs = [1, 2, 3].map((n) => make(`rs${n}`));
      const cables: string[] = [];
      const conf = new Map<Netns, string[]>([[sw, ['link add br0 type bridge', 'link set br0 up']]]);
      const add = (ns: Netns, ...lines: string[]): void => void conf.set(ns, [...(conf.get(ns) ?? []), ...lines]);
      let port = 0;
      const plug = (ns: Netns, device: string, ...addresses: string[]): void => {
        const p = `p${port++}`;
        cables.push(`link add ${device} netns ${ns.name} type veth peer name ${p} netns ${sw.name}`);
        add(sw, `link set ${p} master br0`, `link set ${p} up`);
        add(ns, `link set ${device} up`, ...addresses.map((x) => `addr add ${x} dev ${device}`));
      };
      plug(client, 'c0', '198.51.100.2/24');
      add(client, 'route add 10.200.0.0/24 dev c0');
      plug(a, 'd0', '10.200.0.1/24');
      plug(b, 'd0', '10.200.0.2/24');
      rs.forEach((ns, i) => plug(ns, 'eth0', `10.200.0.${11 + i}/24`));
      for (const ns of rs) {
        // Only the active router answers ARP for the VIP; the real servers reply from it directly.
        ns.exec('sysctl', ['-q', '-w', 'net.ipv4.conf.all.arp_ignore=1', 'net.ipv4.conf.all.arp_announce=2']);
        add(ns, `addr add ${VIP}/32 dev lo`, 'route add 198.51.100.0/24 dev eth0');
      }
      execFileSync('ip', ['-batch', '-'], { input: `${cables.join('\n')}\n` });
      for (const [ns, lines] of conf) execFileSync('ip', ['-n', ns.name, '-batch', '-'], { input: `${lines.join('\n')}\n` });
      const lab = new TwoRouterLab({ A: a, B: b }, client, rs, made, onLine);
      await Promise.all(rs.map((ns, i) => lab.startServer(ns, i)));
      return lab;
    } catch (e) {
      for (const ns of made.reverse()) ns.delete();
      throw e;
    }
  }

  private async startServer(ns: Netns, i: number): Promise<void> {
    const args = { name: `rs${i + 1}`, httpPort: 80, tcpPort: 7000, udpPort: 53, udpAddresses: [`10.200.0.${11 + i}`, VIP] };
    const p = new LineProcess(spawn('ip', ['netns', 'exec', ns.name, process.execPath, REAL_SERVER, JSON.stringify(args)], { stdio: ['ignore', 'pipe', 'pipe'] }));
    this.servers.push(p);
    await p.waitFor(/"ready":true/, 60_000);
  }

  /** startPulse starts pulse on a router, in the foreground, with the lab configuration (lvsd may take long to start under emulation). */
  startPulse(router: RouterName, extra: readonly string[] = []): LineProcess {
    const p = new LineProcess(spawn('ip', ['netns', 'exec', this.routers[router].name, process.execPath, PULSE, '-n', '-c', LAB_CONFIG, '--lvsd-timeout', '120', ...extra], { stdio: ['ignore', 'pipe', 'pipe'] }));
    this.pulses[router] = p;
    let seen = 0;
    const forward = (): void => {
      for (; seen < p.lines.length; seen++) this.onLine(router, (p.lines[seen] as { text: string }).text);
    };
    p.child.stdout?.on('data', () => setImmediate(forward));
    p.child.stderr?.on('data', () => setImmediate(forward));
    return p;
  }

  /** hasVip tells whether a router holds the VIP. */
  hasVip(router: RouterName): boolean {
    return this.routers[router].ip('-4', '-o', 'addr', 'show').includes(`inet ${VIP}/`);
  }

  /** ipvs is `lvsadm -Ln` (ipvsadm's output, from our own tool) in a router's namespace. */
  ipvs(router: RouterName): string {
    return this.routers[router].exec(process.execPath, [LVSADM, '-Ln']);
  }

  /**
   * requests makes up to `count` HTTP requests to the VIP from the client, `intervalMs` apart,
   * each on a fresh connection with a `timeoutMs` bound, reporting each answer as it comes;
   * `stop()` ends the run early.
   */
  requests(count: number, opts: { intervalMs: number; timeoutMs: number; onAnswer?: (a: Answer) => void }): { done: Promise<Answer[]>; stop(): void } {
    const job = { protocol: 'http', host: VIP, port: 80, path: '/', count, timeoutMs: opts.timeoutMs, stream: true, intervalMs: opts.intervalMs };
    const p = new LineProcess(spawn('ip', ['netns', 'exec', this.client.name, process.execPath, CLIENT, JSON.stringify(job)], { stdio: ['ignore', 'pipe', 'pipe'] }));
    const answers: Answer[] = [];
    let seen = 0;
    let stopped = false;
    const take = (): void => {
      for (; seen < p.lines.length; seen++) {
        const text = (p.lines[seen] as { text: string }).text;
        if (!text.startsWith('{')) continue;
        const a = JSON.parse(text) as Answer;
        answers.push(a);
        opts.onAnswer?.(a);
      }
    };
    p.child.stdout?.on('data', () => setImmediate(take));
    const done = p.exited.then(({ code }) => {
      take();
      if (code !== 0 && !stopped) throw new Error(`the lab client failed (${code}): ${p.text()}`);
      return answers;
    });
    return {
      done,
      stop: () => {
        stopped = true;
        p.child.kill('SIGTERM');
      },
    };
  }

  /** destroy stops everything and deletes the namespaces; it can be called more than once. */
  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const p of Object.values(this.pulses)) if (p.child.exitCode === null && p.child.signalCode === null) await p.stop('SIGTERM');
    for (const p of this.servers) if (p.child.exitCode === null && p.child.signalCode === null) await p.stop('SIGKILL');
    for (const ns of [...this.all].reverse()) ns.delete();
  }
}

/** spread counts the answers per real server, failures as "none". */
export function spread(answers: readonly Answer[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const a of answers) {
    const k = a.server ?? 'none';
    out[k] = (out[k] ?? 0) + 1;
  }
  return out;
}
