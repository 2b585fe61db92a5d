/**
 * The keyword tables of lvs.cf: every keyword piranha 0.8.6's parser accepts in each block,
 * the model field it fills, how its value is read, and the order the original GUI writes
 * them in (the tables are in that order; keywords the GUI never writes come last).
 */
import type { GlobalSettings, RealServer, VirtualService } from './model.js';

/** ValueKind says how a keyword's value tokens are read. */
export type ValueKind =
  | 'int' // strtol base 0
  | 'bool' // 0 or 1
  | 'seconds' // int, or a decimal fraction (extension)
  | 'host' // inet_aton literal or hostname; IPv6 literal is an extension
  | 'host-nonzero' // as host, 0.0.0.0 refused with "invalid host name or ip address"
  | 'ip' // inet_aton literal only (sorry_server)
  | 'mask' // inet_aton literal, refused with "Bad subnet mask specified"
  | 'pmask' // as mask; 255.255.255.255 means unset
  | 'port' // int, else tcp service name
  | 'string' // any single token
  | 'check-string' // send/expect: nanny's backslash escapes validated
  | 'enum'
  | 'address-device' // IP device (two tokens)
  | 'list'; // = [ a b c ]

/** KeywordSpec describes one keyword of one block kind. */
export interface KeywordSpec<F extends string> {
  readonly keyword: string;
  readonly field: F;
  readonly kind: ValueKind;
  /** values lists the accepted words of an enum keyword. */
  readonly values?: readonly string[];
  /** extensionValues lists further enum words lvs-director accepts as an extension. */
  readonly extensionValues?: readonly string[];
  /** always makes the writer emit the keyword even when it holds its default (as the GUI does). */
  readonly always?: boolean;
  /** quoted makes the writer always double-quote the value (as the GUI does for scripts). */
  readonly quoted?: boolean;
  /** unused marks keywords piranha parses but never acts on. */
  readonly unused?: boolean;
  /** extension names the lvs-director extension a keyword is; piranha 0.8.6 refuses it as an unknown command. */
  readonly extension?: string;
}

type GlobalField = keyof GlobalSettings;
type VirtualField = Exclude<keyof VirtualService, 'name' | 'servers'>;
type ServerField = Exclude<keyof RealServer, 'name'>;

/** PIRANHA_SCHEDULERS are the schedulers piranha 0.8.6 accepts. */
export const PIRANHA_SCHEDULERS = ['rr', 'wrr', 'lc', 'wlc', 'lblc', 'lblcr', 'dh', 'sh'] as const;
/** KERNEL_SCHEDULERS are further IPVS schedulers lvs-director accepts as an extension. */
export const KERNEL_SCHEDULERS = ['mh', 'sed', 'nq', 'fo', 'ovf', 'twos'] as const;

/** GLOBAL_KEYWORDS are the top-level keywords, in the GUI's writing order. */
export const GLOBAL_KEYWORDS: readonly KeywordSpec<GlobalField>[] = [
  { keyword: 'serial_no', field: 'serialNo', kind: 'int', always: true },
  { keyword: 'primary', field: 'primary', kind: 'host-nonzero', always: true },
  { keyword: 'primary_private', field: 'primaryPrivate', kind: 'host-nonzero' },
  { keyword: 'primary_shared', field: 'primaryShared', kind: 'string' },
  { keyword: 'service', field: 'service', kind: 'enum', values: ['lvs', 'fos'], always: true },
  { keyword: 'rsh_command', field: 'rshCommand', kind: 'string' },
  { keyword: 'backup_active', field: 'backupActive', kind: 'bool', always: true },
  { keyword: 'backup', field: 'backup', kind: 'host', always: true },
  { keyword: 'backup_private', field: 'backupPrivate', kind: 'host-nonzero' },
  { keyword: 'backup_shared', field: 'backupShared', kind: 'string' },
  { keyword: 'heartbeat', field: 'heartbeat', kind: 'bool', always: true, unused: true },
  { keyword: 'heartbeat_port', field: 'heartbeatPort', kind: 'port', always: true },
  { keyword: 'keepalive', field: 'keepalive', kind: 'seconds', always: true },
  { keyword: 'deadtime', field: 'deadtime', kind: 'seconds', always: true },
  { keyword: 'network', field: 'network', kind: 'enum', values: ['nat', 'direct', 'tunnel'], always: true },
  { keyword: 'nat_router', field: 'natRouter', kind: 'address-device' },
  { keyword: 'nat_nmask', field: 'natNmask', kind: 'mask' },
  { keyword: 'reservation_conflict_action', field: 'reservationConflictAction', kind: 'enum', values: ['nothing', 'preempt'] },
  { keyword: 'debug_level', field: 'debugLevel', kind: 'string', always: true, unused: true },
  { keyword: 'active_cmd', field: 'activeCmd', kind: 'string' },
  { keyword: 'inactive_cmd', field: 'inactiveCmd', kind: 'string' },
  { keyword: 'monitor_links', field: 'monitorLinks', kind: 'int' },
  { keyword: 'syncdaemon', field: 'syncdaemon', kind: 'bool' },
  { keyword: 'syncd_iface', field: 'syncdIface', kind: 'string' },
  { keyword: 'syncd_id', field: 'syncdId', kind: 'int' },
  { keyword: 'tcp_timeout', field: 'tcpTimeout', kind: 'int' },
  { keyword: 'tcpfin_timeout', field: 'tcpfinTimeout', kind: 'int' },
  { keyword: 'udp_timeout', field: 'udpTimeout', kind: 'int' },
  { keyword: 'hard_shutdown', field: 'hardShutdown', kind: 'bool' },
  { keyword: 'ipvsadm', field: 'ipvsadm', kind: 'string' },
  { keyword: 'sync', field: 'sync', kind: 'bool', unused: true },
  { keyword: 'heartbeat_key_file', field: 'heartbeatKeyFile', kind: 'string', extension: 'heartbeat_key_file' },
];

/** VIRTUAL_KEYWORDS are the keywords of `virtual` and `failover` blocks, in the GUI's writing order. */
export const VIRTUAL_KEYWORDS: readonly KeywordSpec<VirtualField>[] = [
  { keyword: 'active', field: 'active', kind: 'bool', always: true },
  { keyword: 'address', field: 'address', kind: 'address-device', always: true },
  { keyword: 'sorry_server', field: 'sorryServer', kind: 'ip' },
  { keyword: 'vip_nmask', field: 'vipNmask', kind: 'mask' },
  { keyword: 'fwmark', field: 'fwmark', kind: 'int' },
  { keyword: 'port', field: 'port', kind: 'port', always: true },
  { keyword: 'persistent', field: 'persistent', kind: 'int' },
  { keyword: 'pmask', field: 'pmask', kind: 'pmask' },
  { keyword: 'send', field: 'send', kind: 'check-string', quoted: true },
  { keyword: 'expect', field: 'expect', kind: 'check-string', quoted: true },
  { keyword: 'use_regex', field: 'useRegex', kind: 'bool' },
  { keyword: 'send_program', field: 'sendProgram', kind: 'string', quoted: true },
  { keyword: 'load_monitor', field: 'loadMonitor', kind: 'string' },
  {
    keyword: 'scheduler',
    field: 'scheduler',
    kind: 'enum',
    values: PIRANHA_SCHEDULERS,
    extensionValues: KERNEL_SCHEDULERS,
    always: true,
  },
  { keyword: 'protocol', field: 'protocol', kind: 'enum', values: ['tcp', 'udp'], always: true },
  { keyword: 'timeout', field: 'timeout', kind: 'int', always: true },
  { keyword: 'reentry', field: 'reentry', kind: 'int', always: true },
  { keyword: 'quiesce_server', field: 'quiesceServer', kind: 'bool' },
  { keyword: 'client_monitor', field: 'clientMonitor', kind: 'string' },
  { keyword: 'start_cmd', field: 'startCmd', kind: 'string', quoted: true },
  { keyword: 'stop_cmd', field: 'stopCmd', kind: 'string', quoted: true },
  { keyword: 'master', field: 'master', kind: 'host', unused: true },
  { keyword: 'dirs', field: 'dirs', kind: 'list', unused: true },
];

/** SERVER_KEYWORDS are the keywords of `server` blocks, in the GUI's writing order. */
export const SERVER_KEYWORDS: readonly KeywordSpec<ServerField>[] = [
  { keyword: 'address', field: 'address', kind: 'host', always: true },
  { keyword: 'active', field: 'active', kind: 'bool', always: true },
  { keyword: 'port', field: 'port', kind: 'int', always: true },
  { keyword: 'weight', field: 'weight', kind: 'int', always: true },
];

/** BlockKind names the four contexts of lvs.cf. */
export type BlockKind = 'global' | 'virtual' | 'failover' | 'server';

/** keywordsOf returns the keyword table of a block kind. */
export function keywordsOf(kind: BlockKind): readonly KeywordSpec<string>[] {
  switch (kind) {
    case 'global':
      return GLOBAL_KEYWORDS;
    case 'virtual':
    case 'failover':
      return VIRTUAL_KEYWORDS;
    case 'server':
      return SERVER_KEYWORDS;
  }
}

const index = new Map<BlockKind, Map<string, KeywordSpec<string>>>(
  (['global', 'virtual', 'failover', 'server'] as const).map((k) => [
    k,
    new Map(keywordsOf(k).map((s) => [s.keyword, s])),
  ]),
);

/** lookupKeyword finds a keyword's spec in a block kind. */
export function lookupKeyword(kind: BlockKind, keyword: string): KeywordSpec<string> | undefined {
  return index.get(kind)?.get(keyword);
}

/** blockKindsOf lists the block kinds in which a word is a keyword (for hints). */
export function blockKindsOf(keyword: string): BlockKind[] {
  return (['global', 'virtual', 'server'] as const).filter((k) => lookupKeyword(k, keyword) !== undefined);
}
