/**
 * keepalived (Debian's package) as a failover pair, for comparison: VRRP only (`--vrrp`),
 * VRRPv3 with unicast peers, in the foreground in each router's namespace, logging to the
 * console, never as the system's service. Both routers have the same priority, start in BACKUP
 * and do not preempt, so the survivor of a failover stays active when the other comes back (as
 * pulse does). One gratuitous ARP per VIP on becoming master, no delayed second round.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LineProcess, vipAddress, writeConfig, type PulseNet } from '../../test/netns/pulse-net.js';
import type { VrrpTimers } from './keepalived-timers.js';
import { NODE_IP, partnerOf, stopProcess, type FailoverPair, type NodeName } from './pair.js';

/** keepalivedConfigText is the keepalived.conf of one router. */
export function keepalivedConfigText(o: { node: NodeName; timers: VrrpTimers; vips: number }): string {
  const lines = [
    'global_defs {',
    `  router_id lvsbench_${o.node}`,
    '  vrrp_version 3',
    '  vrrp_garp_master_delay 0',
    '  vrrp_garp_master_repeat 1',
    '}',
    'vrrp_instance bench {',
    '  state BACKUP',
    '  nopreempt',
    '  interface eth0',
    '  virtual_router_id 77',
    `  priority ${o.timers.priority}`,
    `  advert_int ${(o.timers.advertCs / 100).toFixed(2)}`,
    `  unicast_src_ip ${NODE_IP[o.node]}`,
    '  unicast_peer {',
    `    ${NODE_IP[partnerOf(o.node)]}`,
    '  }',
    '  virtual_ipaddress {',
    ...Array.from({ length: o.vips }, (_, i) => `    ${vipAddress(i)}/32 dev eth0`),
    '  }',
    '}',
  ];
  return `${lines.join('\n')}\n`;
}

/**
 * ensureKeepalived installs Debian's keepalived when it is missing, without letting the package
 * start or enable its service (a policy-rc.d that denies starts while apt runs, then `systemctl
 * disable`). It returns the version line, or throws saying what is missing.
 */
export function ensureKeepalived(): string {
  const version = (): string | null => {
    const r = spawnSync('keepalived', ['--version'], { encoding: 'utf8' });
    return r.error === undefined ? ((r.stdout + r.stderr).split('\n').find((l) => /^Keepalived v/.test(l)) ?? null) : null;
  };
  const have = version();
  if (have !== null) return have;
  if (process.getuid?.() !== 0) throw new Error('keepalived is missing: apt-get install keepalived (as root), then run the benchmark again');
  const policy = '/usr/sbin/policy-rc.d';
  const ownPolicy = !existsSync(policy);
  if (ownPolicy) writeFileSync(policy, '#!/bin/sh\n# lvs-director benchmark: no service starts while keepalived is installed\nexit 101\n', { mode: 0o755 });
  try {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const install = (): boolean => spawnSync('apt-get', ['install', '-y', '-q', '--no-install-recommends', 'keepalived'], { stdio: 'inherit', env }).status === 0;
    if (!install()) {
      spawnSync('apt-get', ['update', '-q'], { stdio: 'inherit', env });
      if (!install()) throw new Error('apt-get install keepalived failed');
    }
  } finally {
    if (ownPolicy) rmSync(policy, { force: true });
  }
  spawnSync('systemctl', ['disable', 'keepalived'], { stdio: 'ignore' });
  spawnSync('systemctl', ['stop', 'keepalived'], { stdio: 'ignore' });
  const installed = version();
  if (installed === null) throw new Error('keepalived was installed but does not run');
  return installed;
}

const CHILD_PID = /Starting VRRP child process, pid=(\d+)/;

/** isKeepalived tells whether a pid is (still) a keepalived process. */
function isKeepalived(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'keepalived';
  } catch {
    return false;
  }
}

/** KeepalivedPair runs keepalived on routers A and B. */
export class KeepalivedPair implements FailoverPair {
  readonly name = 'keepalived';
  readonly protocol = 'vrrp';
  readonly decisionLine = /Entering MASTER STATE/;
  readonly heartbeatPeriodMs: number;
  private readonly configs: Record<NodeName, string>;
  private readonly procs = new Map<NodeName, LineProcess>();

  constructor(
    private readonly net: PulseNet,
    o: { timers: VrrpTimers; vips: number },
  ) {
    this.heartbeatPeriodMs = o.timers.advertCs * 10;
    this.configs = {
      a: writeConfig(net, 'keepalived-a.conf', keepalivedConfigText({ node: 'a', ...o })),
      b: writeConfig(net, 'keepalived-b.conf', keepalivedConfigText({ node: 'b', ...o })),
    };
  }

  async start(node: NodeName, alone: boolean): Promise<void> {
    const file = (what: string): string => join(this.net.dir, `keepalived-${node}.${what}.pid`);
    const args = ['netns', 'exec', this.net[node].name, 'keepalived', '--dont-fork', '--log-console', '--no-syslog', '--vrrp', '--dont-respawn', '-f', this.configs[node], '-p', file('main'), '-r', file('vrrp')];
    const p = new LineProcess(spawn('ip', args, { stdio: ['ignore', 'pipe', 'pipe'] }));
    this.procs.set(node, p);
    await p.waitFor(CHILD_PID, 20_000);
    const backup = await p.waitFor(/Entering BACKUP STATE/, 20_000);
    if (alone) await p.waitFor(this.decisionLine, 60_000, p.lines.indexOf(backup));
    // A backup is silent: give it two advertisements of the master to follow.
    else await new Promise((r) => setTimeout(r, 2 * this.heartbeatPeriodMs + 50));
  }

  log(node: NodeName): LineProcess {
    const p = this.procs.get(node);
    if (p === undefined) throw new Error(`keepalived is not running on router ${node}`);
    return p;
  }

  heartbeatSender(node: NodeName): number {
    const m = CHILD_PID.exec(this.log(node).find(CHILD_PID)?.text ?? '');
    if (m === null) throw new Error(`keepalived on router ${node} did not say its VRRP child's pid`);
    return Number(m[1]);
  }

  daemon(node: NodeName): number {
    const pid = this.log(node).child.pid;
    if (pid === undefined) throw new Error(`keepalived on router ${node} has no pid`);
    return pid;
  }

  async ended(node: NodeName): Promise<void> {
    await this.log(node).exited;
  }

  selfReport(): Promise<number | null> {
    return Promise.resolve(null);
  }

  async stop(): Promise<void> {
    await Promise.all(
      [...this.procs.entries()].map(([node, p]) => {
        let child: number[] = [];
        try {
          const pid = this.heartbeatSender(node);
          if (isKeepalived(pid)) child = [pid];
        } catch {
          // It never started its child.
        }
        return stopProcess(p, 5000, child);
      }),
    );
  }
}
