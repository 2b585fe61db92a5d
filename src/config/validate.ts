/**
 * Semantic validation of a parsed lvs.cf: the mistakes piranha accepted and then acted on
 * badly (a NIC taken down, a nanny crash, a silent collision), as errors and warnings.
 * Pure: file-system facts come in through ValidationEnv.
 */
import { finding, PiranhaError, piranhaText, type Diagnostic, type Severity } from './diagnostic.js';
import { isUnset, usesBuiltinMonitor } from './effective.js';
import { hostKey, type AddressDevice, type GlobalSettings, type LvsConfig, type VirtualService } from './model.js';
import type { BlockSource, SourceMap, VirtualSource } from './parser.js';
import { compileEre } from '../check/ere-nfa.js';
import { maskPrefixLength, unescapeCheckString } from './values.js';

/** ProgramStatus is what the environment knows of a program path. */
export type ProgramStatus = 'executable' | 'missing' | 'not-executable' | 'unknown';

/**
 * KeyFileStatus is what the environment found in a `heartbeat_key_file`: a usable key and
 * its permission bits, or the reason it is unusable (a stable `code` and the text of the problem).
 */
export type KeyFileStatus =
  | { readonly ok: true; readonly mode: number; readonly exposed: boolean }
  | { readonly ok: false; readonly error: { readonly code: string; readonly problem: string } };

/** ValidationEnv gives validation the few facts it needs from the machine. */
export interface ValidationEnv {
  /** programStatus tells whether a path names an executable file. */
  readonly programStatus?: (path: string) => ProgramStatus;
  /** keyFileStatus reads a heartbeat key file; without it the file is not looked at. */
  readonly keyFileStatus?: (path: string) => KeyFileStatus;
}

const MAX_IFNAME = 15;

/**
 * FindingsCache keeps the findings about single virtual services between validations of
 * successive versions of a file (an incremental check). What is found about one virtual service
 * depends only on it and its source positions, unless it names programs (those findings are
 * never cached: a program may have appeared or gone since).
 */
export interface FindingsCache {
  /** get returns the findings about `v` at `src` when they are known, else undefined. */
  get(v: VirtualService, src: VirtualSource): readonly Diagnostic[] | undefined;
  /** set records the findings about `v` at `src`. */
  set(v: VirtualService, src: VirtualSource, findings: readonly Diagnostic[]): void;
}

/** validateConfig returns every semantic finding about a parsed configuration. */
export function validateConfig(config: LvsConfig, sources: SourceMap, env: ValidationEnv = {}, cache?: FindingsCache): Diagnostic[] {
  const out: Diagnostic[] = [];
  const v = new Validator(out, env);
  v.globals(config.global, sources.global);
  config.virtuals.forEach((s, i) => {
    const src = sourceOf(sources.virtuals, i);
    const cacheable = cache !== undefined && !consultsMachine(s);
    const known = cacheable ? cache.get(s, src) : undefined;
    if (known !== undefined) {
      out.push(...known);
      return;
    }
    const from = out.length;
    v.virtual(s, src, 'virtual');
    if (cacheable) cache.set(s, src, out.slice(from));
  });
  v.crossVirtual(config, sources);
  if (config.global.service === 'lvs' && !config.virtuals.some((s) => s.active))
    out.push(finding('error', 'NO_ACTIVE_SERVICES', 'no active lvs services defined', 0, 0, "pulse exits at start without one: set 'active = 1' in a virtual block"));
  if (config.global.service === 'fos')
    out.push(at('warning', 'FOS_UNSUPPORTED', "'service = fos' (failover services) is not supported by lvs-director; failover blocks are only checked", sources.global, 'service'));
  else if (config.failovers.length > 0)
    out.push(finding('warning', 'FAILOVER_IGNORED', `${config.failovers.length} failover block(s) are ignored with 'service = lvs'`, sources.failovers[0]?.line ?? 0, 1));
  return out;
}

/** consultsMachine tells whether what is found about a virtual service depends on the machine (the programs it names); such findings are never cached. */
function consultsMachine(v: VirtualService): boolean {
  return v.sendProgram !== null || !usesBuiltinMonitor(v);
}

function sourceOf(list: readonly VirtualSource[], i: number): VirtualSource {
  return list[i] ?? { line: 0, keys: new Map(), servers: [] };
}

function at(severity: Severity, code: string, message: string, source: BlockSource, key: string | null, hint?: string): Diagnostic {
  const pos = key === null ? undefined : source.keys.get(key);
  return finding(severity, code, message, pos?.line ?? source.line, pos?.col ?? 1, hint);
}

function portInRange(p: number): boolean {
  return Number.isInteger(p) && p >= 1 && p <= 65535;
}

function firstWord(command: string): string {
  return command.trim().split(/[ \t]+/)[0] ?? '';
}

class Validator {
  constructor(
    private readonly out: Diagnostic[],
    private readonly env: ValidationEnv,
  ) {}

  private add(d: Diagnostic): void {
    this.out.push(d);
  }

  globals(g: GlobalSettings, src: BlockSource): void {
    if (g.primary === null)
      this.add(finding('error', 'PRIMARY_MISSING', "'primary' is not set", 1, 1, "pulse needs the primary director's public address: add 'primary = ADDRESS'"));
    if (g.backupActive && isUnset(g.backup))
      this.add(at('warning', 'BACKUP_UNDEFINED', 'Undefined backup node marked as active? -- clearing that!', src, 'backup_active', "set 'backup = ADDRESS' or 'backup_active = 0'"));
    if (g.backupPrivate !== null && g.primaryPrivate === null)
      this.add(at('warning', 'BACKUP_PRIVATE_IGNORED', "'backup_private' is ignored because 'primary_private' is not set", src, 'backup_private', "piranha then uses 'backup' for the private channel too; set 'primary_private' as well"));
    if (g.primaryPrivate !== null && g.primary !== null && g.backupPrivate === null && g.backupActive && hostKey(g.primaryPrivate) !== hostKey(g.primary))
      this.add(at('warning', 'BACKUP_PRIVATE_MISSING', "'primary_private' is set but 'backup_private' is not: the private heartbeat channel has no partner", src, 'primary_private'));
    if (!portInRange(g.heartbeatPort))
      this.add(at('error', 'PORT_RANGE', piranhaText(PiranhaError.BAD_ARGUMENT), src, 'heartbeat_port', `heartbeat_port ${g.heartbeatPort} is not a port (1..65535)`));
    if (g.keepalive <= 0) this.add(at('error', 'KEEPALIVE_RANGE', "'keepalive' must be greater than 0", src, 'keepalive'));
    if (g.deadtime <= 0) this.add(at('error', 'DEADTIME_RANGE', "'deadtime' must be greater than 0", src, 'deadtime'));
    else if (g.keepalive > 0 && g.deadtime <= g.keepalive)
      this.add(at('warning', 'DEADTIME_SHORT', `deadtime (${g.deadtime}) is not longer than keepalive (${g.keepalive}): the partner is declared dead between two heartbeats`, src, 'deadtime', 'make deadtime at least twice keepalive'));
    for (const key of ['tcp_timeout', 'tcpfin_timeout', 'udp_timeout'] as const) {
      const value = { tcp_timeout: g.tcpTimeout, tcpfin_timeout: g.tcpfinTimeout, udp_timeout: g.udpTimeout }[key];
      if (value < 0) this.add(at('error', 'TIMEOUT_RANGE', `'${key}' must not be negative`, src, key));
    }
    if (g.syncdId < 0 || g.syncdId > 255)
      this.add(at('warning', 'SYNCD_ID_RANGE', `syncd_id ${g.syncdId} is outside 0..255; only its low 8 bits (${g.syncdId & 0xff}) are used`, src, 'syncd_id'));
    if (g.monitorLinks !== 0 && !g.backupActive)
      this.add(at('warning', 'MONITOR_LINKS_IGNORED', "'monitor_links' is ignored without an active backup", src, 'monitor_links'));
    if (g.natRouter !== null && g.network !== 'nat')
      this.add(at('warning', 'NAT_ROUTER_IGNORED', `'nat_router' is only used with 'network = nat' (network is ${g.network})`, src, 'nat_router'));
    if (g.natRouter !== null) this.device(g.natRouter, src, 'nat_router');
    this.mask(g.natNmask, src, 'nat_nmask');
    for (const key of ['active_cmd', 'inactive_cmd'] as const) {
      const cmd = key === 'active_cmd' ? g.activeCmd : g.inactiveCmd;
      if (cmd !== null) this.program(firstWord(cmd), src, key, 'error');
    }
    if (g.heartbeatKeyFile !== null) this.keyFile(g.heartbeatKeyFile, g, src);
  }

  private keyFile(path: string, g: GlobalSettings, src: BlockSource): void {
    const key = 'heartbeat_key_file';
    if (!path.startsWith('/')) {
      this.add(at('error', 'KEY_FILE_RELATIVE', `heartbeat_key_file ${path} is not an absolute path`, src, key, 'pulse runs from /; write the full path'));
      return;
    }
    if (!g.backupActive)
      this.add(at('warning', 'KEY_FILE_UNUSED', "'heartbeat_key_file' has no effect without an active backup (no heartbeats are sent)", src, key));
    const status = this.env.keyFileStatus?.(path);
    if (status === undefined) return;
    if (!status.ok) {
      this.add(at('error', status.error.code, `heartbeat key file ${path}: ${status.error.problem}`, src, key, 'both directors need the same key file, mode 0600'));
      return;
    }
    if (status.exposed)
      this.add(at('warning', 'KEY_FILE_EXPOSED', `heartbeat key file ${path} is accessible by group or other (mode ${status.mode.toString(8).padStart(4, '0')})`, src, key, `chmod 600 ${path}`));
  }

  virtual(v: VirtualService, src: VirtualSource, kind: 'virtual' | 'failover'): void {
    const severe: Severity = v.active ? 'error' : 'warning';
    if (v.address === null) {
      if (v.active) this.add(at('error', 'ADDRESS_MISSING', `${kind} ${v.name} has no 'address'`, src, null, "add 'address = VIP DEVICE', e.g. 'address = 192.0.2.10 eth0:1'"));
    } else {
      this.device(v.address, src, 'address');
      if (v.vipNmask !== null && v.address.host.family === 6)
        this.add(at('error', 'MASK_FAMILY', "'vip_nmask' applies to IPv4 VIPs only", src, 'vip_nmask'));
    }
    this.mask(v.vipNmask, src, 'vip_nmask');
    this.mask(v.pmask, src, 'pmask');
    if (!portInRange(v.port)) this.add(at(severe, 'PORT_RANGE', piranhaText(PiranhaError.BAD_ARGUMENT), src, 'port', `port ${v.port} is not a port (1..65535)`));
    if (v.fwmark < 0) this.add(at('error', 'FWMARK_RANGE', "'fwmark' must not be negative", src, 'fwmark'));
    if (v.persistent < 0) this.add(at('error', 'PERSISTENT_RANGE', "'persistent' must not be negative", src, 'persistent'));
    if (v.pmask !== null && v.persistent <= 0)
      this.add(at('warning', 'PMASK_WITHOUT_PERSISTENT', "'pmask' has no effect without 'persistent'", src, 'pmask'));
    if (v.fwmark > 0 && v.persistent <= 0)
      this.add(at('warning', 'FWMARK_WITHOUT_PERSISTENCE', 'firewall-mark service without persistence', src, 'fwmark', "Red Hat's documentation recommends 'persistent' with 'fwmark' so that related connections reach the same real server"));
    if (v.timeout <= 0) this.add(at('error', 'CHECK_TIMEOUT_RANGE', "'timeout' must be greater than 0", src, 'timeout', "piranha's nanny divides by it"));
    if (v.reentry < 0) this.add(at('error', 'REENTRY_RANGE', "'reentry' must not be negative", src, 'reentry'));
    else if (v.timeout > 0 && v.reentry < v.timeout)
      this.add(at('warning', 'REENTRY_SHORT', `reentry (${v.reentry}) is shorter than timeout (${v.timeout}): a failed server returns after one good check`, src, 'reentry'));
    if (v.active && v.protocol === 'udp' && v.expect === null)
      this.add(at('error', 'UDP_WITHOUT_EXPECT', `UDP service ${v.name} has no 'expect'`, src, 'protocol', "a UDP check needs an expected reply (piranha's nanny crashed without one): e.g. expect = \"*\""));
    if (v.useRegex && v.expect === null)
      this.add(at('warning', 'REGEX_WITHOUT_EXPECT', "'use_regex' has no effect without 'expect'", src, 'use_regex'));
    if (v.useRegex && v.expect !== null) this.regex(v.expect, src);
    if (v.sendProgram !== null) {
      this.program(firstWord(v.sendProgram), src, 'send_program', severe);
      if (v.send !== null) this.add(at('warning', 'SEND_IGNORED', "'send' is ignored because 'send_program' is set", src, 'send'));
      if (v.expect === null)
        this.add({
          ...at('warning', 'SEND_PROGRAM_WITHOUT_EXPECT', "'send_program' without 'expect': piranha's nanny never counts such a check as passed", src, 'send_program', "lvs-director counts exit status 0 as passed; set 'expect' for a pair with piranha"),
          compat: true,
        });
    }
    if (!usesBuiltinMonitor(v)) this.program(v.clientMonitor, src, 'client_monitor', severe);
    if (v.sorryServer !== null && v.address !== null && v.address.host.family !== null) {
      const sorryFamily = v.sorryServer.includes(':') ? 6 : 4;
      if (sorryFamily !== v.address.host.family)
        this.add(at('error', 'FAMILY_MISMATCH', "'sorry_server' and the VIP are of different address families", src, 'sorry_server'));
    }
    this.servers(v, src);
  }

  private servers(v: VirtualService, src: VirtualSource): void {
    const seen = new Map<string, { index: number; active: boolean }>();
    const names = new Map<string, number>();
    v.servers.forEach((s, i) => {
      const ssrc = src.servers[i] ?? { line: src.line, keys: new Map() };
      if (s.address === null) {
        if (s.active) this.add(at('error', 'ADDRESS_MISSING', `server ${s.name} has no 'address'`, ssrc, null));
      } else if (v.address !== null && s.address.family !== null && v.address.host.family !== null && s.address.family !== v.address.host.family) {
        this.add(at('warning', 'FAMILY_MISMATCH', `server ${s.name} and the VIP of ${v.name} are of different address families`, ssrc, 'address'));
      }
      if (s.address !== null && v.address !== null && hostKey(s.address) === hostKey(v.address.host))
        this.add(at('warning', 'SERVER_IS_VIP', `server ${s.name} has the VIP's own address`, ssrc, 'address'));
      const inherited = !ssrc.keys.has('port') && s.port === v.port;
      if (!portInRange(s.port) && !inherited)
        this.add(at(s.active ? 'error' : 'warning', 'PORT_RANGE', piranhaText(PiranhaError.BAD_ARGUMENT), ssrc, 'port', `port ${s.port} is not a port (1..65535)`));
      if (s.weight < 0) this.add(at('error', 'WEIGHT_RANGE', "'weight' must not be negative", ssrc, 'weight'));
      const key = `${hostKey(s.address)}:${s.port}`;
      const before = seen.get(key);
      if (s.address !== null && before !== undefined) {
        const both = before.active && s.active;
        this.add(at(both ? 'error' : 'warning', 'DUPLICATE_SERVER', `server ${s.name} duplicates ${v.servers[before.index]?.name ?? ''} (${key}) in ${v.name}`, ssrc, 'address', 'IPVS holds one entry per real server address and port'));
      } else if (s.address !== null) seen.set(key, { index: i, active: s.active });
      const sameName = names.get(s.name);
      if (sameName !== undefined)
        this.add(at('warning', 'DUPLICATE_NAME', `server name ${s.name} is used twice in ${v.name} (line ${src.servers[sameName]?.line ?? 0})`, ssrc, null));
      else names.set(s.name, i);
    });
    if (v.active && !v.servers.some((s) => s.active) && v.sorryServer === null)
      this.add(at('warning', 'NO_ACTIVE_SERVERS', `virtual ${v.name} has no active real server`, src, null));
  }

  crossVirtual(config: LvsConfig, sources: SourceMap): void {
    const identities = new Map<string, number>();
    const names = new Map<string, number>();
    const devices = new Map<string, { vip: string; line: number }>();
    const vipDevices = new Map<string, { device: string; line: number }>();
    const noteDevice = (a: AddressDevice, src: BlockSource, key: string): void => {
      const vip = hostKey(a.host);
      const line = src.keys.get(key)?.line ?? src.line;
      const holder = devices.get(a.device);
      if (holder !== undefined && holder.vip !== vip)
        this.add(at('error', 'ALIAS_CONFLICT', `device ${a.device} carries two different addresses: ${holder.vip} (line ${holder.line}) and ${vip}`, src, key, 'each VIP needs an alias of its own, e.g. eth0:1 and eth0:2'));
      else devices.set(a.device, { vip, line });
      const onDevice = vipDevices.get(vip);
      if (onDevice !== undefined && onDevice.device !== a.device)
        this.add(at('warning', 'VIP_ON_TWO_DEVICES', `address ${vip} is also configured on ${onDevice.device} (line ${onDevice.line}); it is brought up once, on the first`, src, key));
      else vipDevices.set(vip, { device: a.device, line });
    };
    if (config.global.natRouter !== null && config.global.network === 'nat') noteDevice(config.global.natRouter, sources.global, 'nat_router');

    config.virtuals.forEach((v, i) => {
      const src = sourceOf(sources.virtuals, i);
      const sameName = names.get(v.name);
      if (sameName !== undefined)
        this.add(at('warning', 'DUPLICATE_NAME', `virtual name ${v.name} is used twice (line ${sources.virtuals[sameName]?.line ?? 0})`, src, null));
      else names.set(v.name, i);
      if (!v.active) return;
      if (v.address !== null) noteDevice(v.address, src, 'address');
      for (const h of [config.global.primary, config.global.backup])
        if (v.address !== null && h !== null && !isUnset(h) && hostKey(h) === hostKey(v.address.host))
          this.add(at('error', 'VIP_IS_ROUTER', `the VIP of ${v.name} is a director's own address (${hostKey(h)})`, src, 'address', 'a VIP moves between the directors; it must not be primary or backup'));
      const identity = serviceIdentity(v);
      const before = identities.get(identity);
      if (before !== undefined)
        this.add(at('error', 'DUPLICATE_SERVICE', `virtual ${v.name} is the same IPVS service as ${config.virtuals[before]?.name ?? ''} (line ${sources.virtuals[before]?.line ?? 0}): ${identity}`, src, v.fwmark > 0 ? 'fwmark' : 'port'));
      else identities.set(identity, i);
    });
  }

  private device(a: AddressDevice, src: BlockSource, key: string): void {
    const base = a.device.split(':')[0] ?? '';
    if (!/^[^\s/:]+(:[^\s/:]+)?$/.test(a.device) || base.length > MAX_IFNAME || a.device.length > MAX_IFNAME)
      this.add(at('error', 'BAD_DEVICE', piranhaText(PiranhaError.BAD_ARGUMENT), src, key, `'${a.device}' is not an interface name (at most ${MAX_IFNAME} characters, an alias as eth0:1)`));
    else if (!a.device.includes(':'))
      this.add(at('warning', 'NOT_AN_ALIAS', `device ${a.device} is an interface, not an alias like ${a.device}:1`, src, key, `piranha took ${a.device} itself down on deactivation; lvs-director only removes the address, but an alias keeps 'ifconfig' users safe`));
  }

  private mask(mask: string | null, src: BlockSource, key: string): void {
    if (mask !== null && maskPrefixLength(mask) === null)
      this.add(at('error', 'BAD_NETMASK', piranhaText(PiranhaError.BAD_NETMASK), src, key, `${mask} is not a contiguous netmask`));
  }

  /** regex compiles an expect pattern with the checker's own POSIX ERE engine, so --check and nanny agree. */
  private regex(expect: string, src: BlockSource): void {
    try {
      compileEre(unescapeCheckString(expect));
    } catch (e) {
      this.add(at('error', 'BAD_REGEX', `Error '${(e as Error).message}' processing expected regular expression`, src, 'expect'));
    }
  }

  private program(path: string, src: BlockSource, key: string, severity: Severity): void {
    const status = this.env.programStatus?.(path) ?? 'unknown';
    if (status === 'missing')
      this.add(at('warning', 'PROGRAM_MISSING', `${key} program ${path} does not exist on this machine`, src, key, 'it must exist on both directors before pulse starts'));
    else if (status === 'not-executable') this.add(at(severity, 'PROGRAM_NOT_EXECUTABLE', `${key} program ${path} is not executable`, src, key, `chmod +x ${path}`));
  }
}

/** serviceIdentity is what makes two virtual services the same IPVS service: fwmark, or protocol, VIP and port. */
export function serviceIdentity(v: VirtualService): string {
  if (v.fwmark > 0) return `fwmark ${v.fwmark}${v.address?.host.family === 6 ? ' (IPv6)' : ''}`;
  const vip = v.address === null ? '0.0.0.0' : hostKey(v.address.host);
  return `${v.protocol} ${vip.includes(':') ? `[${vip}]` : vip}:${v.port}`;
}
