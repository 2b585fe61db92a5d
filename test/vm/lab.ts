/**
 * A traffic lab for the VM suites: a client, a director and real servers, each in its own network
 * namespace, wired either for LVS NAT (`natLab()`) or for direct routing (`drLab()`). Nothing is
 * programmed into IPVS: the suite does that in the director namespace (IPVS tables are per
 * namespace), with `lab.ipvsadm(...)` or by running lvsd there, and then sends traffic from the
 * client to the VIP with `lab.fetch()` / `lab.request()` to see which real server answered.
 *
 * Addresses exist only inside the namespaces:
 *
 *   NAT   client c0 198.51.100.2/24 (default via .1)
 *           | veth
 *         director d0 198.51.100.1/24 + VIP 198.51.100.10/32, d1 10.200.0.1/24, ip_forward=1
 *           | veth into br0 (switch namespace)
 *         rsN eth0 10.200.0.(10+N)/24, default via 10.200.0.1
 *
 *   DR    one segment: br0 in the switch namespace, a veth from each of
 *         client c0 198.51.100.2/24 (+ 10.200.0.0/24 on-link)
 *         director d0 198.51.100.1/24 + 10.200.0.1/24 + VIP 198.51.100.10/32
 *         rsN eth0 10.200.0.(10+N)/24 (+ 198.51.100.0/24 on-link), VIP/32 on lo,
 *             arp_ignore=1, arp_announce=2: only the director answers ARP for the VIP, and the
 *             real servers answer the client directly, from the VIP.
 *
 * Each real server runs lab-scripts/real-server.ts: HTTP 200 with its name ("rs1", "rs2", ...) as
 * body on port 80, a TCP banner with its name on port 7000, its name and then an echo of what it
 * gets on ports 7007 and 7008 (connections stay open: `lab.hold()`), and a UDP reply with its
 * name on port 53. Real servers are numbered from 0 in `servers`, `stopServer(i)` and `startServer(i)`;
 * server i is named rs(i+1) and has address 10.200.0.(11+i).
 *
 * Only inside the IPVS VM (test/vm/run) as root. Always `await lab.destroy()` (in after()).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Netns } from '../helpers/netns.js';

export const VIP = '198.51.100.10';
export const CLIENT_ADDRESS = '198.51.100.2';
/** DIRECTOR_ADDRESS is the director's own address on the client side; DIRECTOR_INSIDE on the real servers' side. */
export const DIRECTOR_ADDRESS = '198.51.100.1';
export const DIRECTOR_INSIDE = '10.200.0.1';
export const PORTS = { http: 80, tcp: 7000, udp: 53, echo: 7007, echo2: 7008 } as const;

export /** ipvsadmStats reads `ipvsadm -Ln --stats --exact`: "TCP 198.51.100.10:80" and "TCP 198.51.100.10:80 -> 10.200.0.11:80" to [conns, inpkts, outpkts, inbytes, outbytes]. */
function ipvsadmStats(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let service = '';
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f[0] === '->' && f[1] !== 'RemoteAddress:Port' && service !== '') out.set(`${service} -> ${f[1]}`, f.slice(2, 7));
    else if (f[0] === 'TCP' || f[0] === 'UDP' || f[0] === 'FWM') {
      service = `${f[0]} ${f[1]}`;
      out.set(service, f.slice(2, 7));
    }
  }
  return out;
}

export type LabKind = 'nat' | 'dr';
export type Protocol = 'http' | 'tcp' | 'udp';

/** Answer is what one request got: the answering server's name, or null and why not. */
export interface Answer {
  server: string | null;
  /** HTTP only: the client address:port the real server saw. */
  client?: string;
  /** HTTP only: the response status. */
  status?: number;
  error?: string;
}

export interface RealServer {
  readonly index: number;
  /** name is what the server answers: rs1, rs2, ... */
  readonly name: string;
  readonly ns: Netns;
  /** address is the real server's own address (RIP), 10.200.0.(11+index). */
  readonly address: string;
  /** running says whether its server process is up (startServer / stopServer). */
  readonly running: boolean;
}

/** HeldConnection is a long-lived TCP connection from the client to an echo port (`lab.hold()`). */
export interface HeldConnection {
  /** server is the real server that greeted it (rs1, rs2, ...). */
  readonly server: string;
  /** local is the client's address:port. */
  readonly local: string;
  /** echo sends `text` (no line breaks) and resolves with what came back (rejects if the connection is gone). */
  echo(text: string, timeoutMs?: number): Promise<string>;
  /** reset ends the connection with a TCP RST. */
  reset(): Promise<void>;
  /** close ends it with a FIN. */
  close(): Promise<void>;
}

export interface LabOptions {
  /** servers is the number of real servers (1 to 200, default 2). */
  servers?: number;
  /** vipOnDirector (default true) puts the VIP on the director's d0; false leaves that to the code under test. */
  vipOnDirector?: boolean;
  /** startServers (default true) starts every real server before the lab is returned. */
  startServers?: boolean;
}

export interface RequestOptions {
  /** HTTP path, default "/". */
  path?: string;
  /** Per-request timeout, default 10 s (generous: the VM may run under emulation). */
  timeoutMs?: number;
  /** Destination address, default the VIP. */
  host?: string;
  /** Destination port, default PORTS[protocol]. */
  port?: number;
}

export interface Lab {
  readonly kind: LabKind;
  /** director is the namespace where IPVS is programmed and lvsd would run. */
  readonly director: Netns;
  /** directorDevice is the director's client-side interface, which carries the VIP ("d0"). */
  readonly directorDevice: string;
  readonly client: Netns;
  readonly servers: readonly RealServer[];
  readonly vip: string;
  readonly ports: typeof PORTS;
  /** namespaces lists every namespace of the lab (switch included). */
  readonly namespaces: readonly Netns[];
  /** ipvsadm runs the real ipvsadm in the director namespace and returns its stdout (throws on failure). */
  ipvsadm(...args: string[]): string;
  /** fetch makes one HTTP request to the VIP from the client and returns which real server answered (rejects if none did). */
  fetch(path?: string): Promise<string>;
  /** request makes `count` requests one after the other from one client process, each on a fresh connection or socket. */
  request(protocol: Protocol, count?: number, options?: RequestOptions): Promise<Answer[]>;
  /** hold opens a long-lived connection from the client to the VIP's echo port `port` (default PORTS.echo) and waits for its greeting. */
  hold(port?: number): Promise<HeldConnection>;
  /** stopServer ends real server i's process: it no longer answers (TCP is refused). */
  stopServer(i: number): Promise<void>;
  /** startServer starts real server i's process again and waits until it listens. */
  startServer(i: number): Promise<void>;
  /** destroy kills the servers and deletes every namespace; it can be called more than once. */
  destroy(): Promise<void>;
}

const script = (name: string): string => fileURLToPath(new URL(`./lab-scripts/${name}.js`, import.meta.url));
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 10_000;

/** natLab makes an LVS-NAT lab: client -- director -- real servers, routed through the director. */
export async function natLab(options: LabOptions = {}): Promise<Lab> {
  return LabImpl.build('nat', options);
}

/** drLab makes an LVS direct-routing lab: client, director and real servers on one L2 segment. */
export async function drLab(options: LabOptions = {}): Promise<Lab> {
  return LabImpl.build('dr', options);
}

class Server implements RealServer {
  process: ChildProcess | null = null;
  constructor(
    readonly index: number,
    readonly ns: Netns,
    readonly address: string,
    private readonly udpAddresses: string[],
  ) {}

  get name(): string {
    return `rs${this.index + 1}`;
  }
  get running(): boolean {
    return this.process !== null;
  }

  async start(): Promise<void> {
    if (this.process !== null) return;
    const args = { name: this.name, httpPort: PORTS.http, tcpPort: PORTS.tcp, echoPorts: [PORTS.echo, PORTS.echo2], udpPort: PORTS.udp, udpAddresses: this.udpAddresses };
    const child = this.ns.spawnNode(script('real-server'), [JSON.stringify(args)]);
    this.process = child;
    let stderr = '';
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => (stderr += chunk));
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${this.name} did not listen within ${START_TIMEOUT_MS} ms: ${stderr}`)), START_TIMEOUT_MS);
        const settle = (error?: Error): void => {
          clearTimeout(timer);
          child.off('exit', onExit);
          if (error === undefined) resolve();
          else reject(error);
        };
        const onExit = (code: number | null, signal: string | null): void => settle(new Error(`${this.name} exited (${code ?? signal}) before it listened: ${stderr}`));
        child.once('exit', onExit);
        child.once('error', settle);
        // Reads its output to the end (so the pipe never fills); the first line says it listens.
        createInterface({ input: child.stdout! }).on('line', (line) => {
          if (line.includes('"ready":true')) settle();
        });
      });
    } catch (e) {
      await this.stop();
      throw e;
    }
  }

  async stop(): Promise<void> {
    const child = this.process;
    if (child === null) return;
    this.process = null;
    if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      child.kill('SIGTERM');
    });
  }
}

class LabImpl implements Lab {
  readonly vip = VIP;
  readonly ports = PORTS;
  readonly directorDevice = 'd0';
  readonly servers: Server[] = [];
  private readonly holders: ChildProcess[] = [];
  private destroyed = false;

  private constructor(
    readonly kind: LabKind,
    readonly namespaces: Netns[],
    readonly director: Netns,
    readonly client: Netns,
  ) {}

  static async build(kind: LabKind, options: LabOptions): Promise<Lab> {
    const count = options.servers ?? 2;
    if (!Number.isInteger(count) || count < 1 || count > 200) throw new RangeError(`servers must be 1 to 200, not ${count}`);
    const made: Netns[] = [];
    const make = (role: string): Netns => {
      const ns = Netns.create(`${kind}-${role}`);
      made.push(ns);
      return ns;
    };
    let lab: LabImpl | null = null;
    try {
      const director = make('dir');
      const client = make('cli');
      const sw = make('sw');
      lab = new LabImpl(kind, made, director, client);

      // The wiring is written down first and then applied with one `ip -batch` in the root
      // namespace (the cables) and one per namespace: each `ip` costs tens of milliseconds
      // under emulation, and a lab needs dozens of them.
      const cables: string[] = [];
      const config = new Map<Netns, string[]>();
      const conf = (ns: Netns, ...lines: string[]): void => {
        config.set(ns, [...(config.get(ns) ?? []), ...lines]);
      };
      /** cable connects a's aDevice and b's bDevice with a veth pair made right in the two namespaces, both ends up. */
      const cable = (a: Netns, aDevice: string, b: Netns, bDevice: string): void => {
        cables.push(`link add ${aDevice} netns ${a.name} type veth peer name ${bDevice} netns ${b.name}`);
        conf(a, `link set ${aDevice} up`);
        conf(b, `link set ${bDevice} up`);
      };
      conf(sw, 'link add br0 type bridge', 'link set br0 up');
      let port = 0;
      /** plug cables ns's device into the switch's bridge. */
      const plug = (ns: Netns, device: string): void => {
        const swPort = `p${port++}`;
        cable(ns, device, sw, swPort);
        conf(sw, `link set ${swPort} master br0`);
      };

      if (kind === 'nat') {
        cable(client, 'c0', director, 'd0');
        plug(director, 'd1');
        conf(director, `addr add ${DIRECTOR_INSIDE}/24 dev d1`);
        sysctl(director, { 'net.ipv4.ip_forward': 1 });
      } else {
        plug(client, 'c0');
        plug(director, 'd0');
        conf(director, `addr add ${DIRECTOR_INSIDE}/24 dev d0`);
      }
      conf(client, `addr add ${CLIENT_ADDRESS}/24 dev c0`, `route add default via ${DIRECTOR_ADDRESS}`);
      if (kind === 'dr') conf(client, 'route add 10.200.0.0/24 dev c0');
      conf(director, `addr add ${DIRECTOR_ADDRESS}/24 dev d0`);
      if (options.vipOnDirector ?? true) conf(director, `addr add ${VIP}/32 dev d0`);

      for (let i = 0; i < count; i++) {
        const ns = make(`rs${i + 1}`);
        const address = `10.200.0.${11 + i}`;
        lab.servers.push(new Server(i, ns, address, kind === 'nat' ? [address] : [address, VIP]));
        plug(ns, 'eth0');
        conf(ns, `addr add ${address}/24 dev eth0`);
        if (kind === 'nat') conf(ns, `route add default via ${DIRECTOR_INSIDE}`);
        else {
          // ARP for the VIP is the director's alone: answer ARP only for addresses of the asking
          // interface (arp_ignore=1), and ask with an address of the outgoing interface
          // (arp_announce=2), never with the VIP. Set before the VIP is added.
          sysctl(ns, { 'net.ipv4.conf.all.arp_ignore': 1, 'net.ipv4.conf.all.arp_announce': 2, 'net.ipv4.conf.default.arp_ignore': 1, 'net.ipv4.conf.default.arp_announce': 2 });
          conf(ns, `addr add ${VIP}/32 dev lo`, 'route add 198.51.100.0/24 dev eth0');
        }
      }

      batch(null, cables);
      for (const [ns, lines] of config) batch(ns, lines);
      if (options.startServers ?? true) await Promise.all(lab.servers.map((s) => s.start()));
      return lab;
    } catch (e) {
      if (lab !== null) await lab.destroy();
      else for (const ns of made) ns.delete();
      throw e;
    }
  }

  ipvsadm(...args: string[]): string {
    return this.director.exec('ipvsadm', args);
  }

  async fetch(path = '/'): Promise<string> {
    const [answer] = await this.request('http', 1, { path });
    if (answer?.server === null || answer?.server === undefined) throw new Error(`GET http://${this.vip}${path} from the client: ${answer?.error ?? 'no answer'}`);
    if (answer.status !== 200) throw new Error(`GET http://${this.vip}${path} from the client: status ${answer.status}, body ${answer.server}`);
    return answer.server;
  }

  async request(protocol: Protocol, count = 1, options: RequestOptions = {}): Promise<Answer[]> {
    const timeoutMs = options.timeoutMs ?? 10_000;
    const job = { protocol, host: options.host ?? this.vip, port: options.port ?? PORTS[protocol], path: options.path ?? '/', count, timeoutMs };
    const out = await runIn(this.client, [process.execPath, script('client'), JSON.stringify(job)], count * timeoutMs + START_TIMEOUT_MS);
    return JSON.parse(out) as Answer[];
  }

  async hold(port: number = PORTS.echo): Promise<HeldConnection> {
    const child = spawn('ip', ['netns', 'exec', this.client.name, process.execPath, script('hold'), JSON.stringify({ host: this.vip, port })], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.holders.push(child);
    return Holder.start(child, `${this.vip}:${port}`);
  }

  async stopServer(i: number): Promise<void> {
    await this.server(i).stop();
  }

  async startServer(i: number): Promise<void> {
    await this.server(i).start();
  }

  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const h of this.holders) h.kill('SIGKILL');
    await Promise.all(this.servers.map((s) => s.stop()));
    for (const ns of [...this.namespaces].reverse()) ns.delete();
  }

  private server(i: number): Server {
    const server = this.servers[i];
    if (server === undefined) throw new RangeError(`no real server ${i}: the lab has ${this.servers.length} (numbered from 0)`);
    return server;
  }
}

/** Holder drives a lab-scripts/hold.ts process: one JSON line out per command in. */
class Holder implements HeldConnection {
  private readonly waiting: Array<(o: Record<string, unknown>) => void> = [];
  private stderr = '';

  private constructor(
    private readonly child: ChildProcess,
    readonly server: string,
    readonly local: string,
  ) {}

  static start(child: ChildProcess, target: string): Promise<Holder> {
    return new Promise((resolve, reject) => {
      let holder: Holder | null = null;
      let stderr = '';
      child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
        stderr += chunk;
        if (holder !== null) holder.stderr += chunk;
      });
      const timer = setTimeout(() => reject(new Error(`no connection to ${target} within ${START_TIMEOUT_MS} ms: ${stderr}`)), START_TIMEOUT_MS);
      // 'close', not 'exit': its last output lines are read by then.
      child.once('close', (code) => {
        clearTimeout(timer);
        reject(new Error(`the connection to ${target} ended (${code ?? '?'}): ${stderr}`));
        for (const w of holder?.waiting.splice(0) ?? []) w({ error: `the holder exited (${code ?? '?'}): ${stderr}` });
      });
      createInterface({ input: child.stdout! }).on('line', (line) => {
        const o = JSON.parse(line) as Record<string, unknown>;
        if (holder === null) {
          if (o['connected'] !== true) return reject(new Error(`connection to ${target}: ${line} ${stderr}`));
          clearTimeout(timer);
          holder = new Holder(child, String(o['server']), String(o['local']));
          resolve(holder);
        } else holder.waiting.shift()?.(o);
      });
    });
  }

  private command(line: string, timeoutMs: number): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`'${line}' on the connection from ${this.local}: no answer within ${timeoutMs} ms ${this.stderr}`)), timeoutMs);
      this.waiting.push((o) => {
        clearTimeout(timer);
        if (typeof o['error'] === 'string') reject(new Error(`connection from ${this.local} to ${this.server}: ${o['error']}`));
        else resolve(o);
      });
      this.child.stdin?.write(`${line}\n`);
    });
  }

  async echo(text: string, timeoutMs = 30_000): Promise<string> {
    return String((await this.command(`send ${text}`, timeoutMs))['echo']);
  }

  async reset(): Promise<void> {
    await this.command('reset', STOP_TIMEOUT_MS);
  }

  async close(): Promise<void> {
    await this.command('close', STOP_TIMEOUT_MS);
  }
}

/** batch runs `ip` commands (one per line, without the leading "ip") in ns, or in the root namespace for null. */
function batch(ns: Netns | null, lines: string[]): void {
  execFileSync('ip', [...(ns === null ? [] : ['-n', ns.name]), '-batch', '-'], { input: `${lines.join('\n')}\n`, encoding: 'utf8' });
}

/** sysctl sets kernel parameters inside a namespace (network ones are per namespace). */
function sysctl(ns: Netns, settings: Record<string, number>): void {
  ns.exec('sysctl', ['-q', '-w', ...Object.entries(settings).map(([k, v]) => `${k}=${v}`)]);
}

/** runIn runs a command in a namespace without blocking the event loop and returns its stdout; it rejects on failure or after timeoutMs. */
function runIn(ns: Netns, command: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('ip', ['netns', 'exec', ns.name, ...command], { stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs, killSignal: 'SIGKILL' });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code === 0) resolve(stdout);
      else reject(new Error(`${command.join(' ')} in ${ns.name} failed (${code ?? signal}): ${stderr}`));
    });
  });
}
