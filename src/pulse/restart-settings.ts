/**
 * The lvs.cf settings that pulse reads only when it starts: the heartbeat sockets, this
 * router's role, link watching and the key. A SIGHUP applies timers and VIPs at once; for
 * these it can only say that they wait for a restart, so the operator is not left believing
 * a new heartbeat port or partner address is in use.
 */
import type { GlobalSettings, HostAddress } from '../config/model.js';

/** RestartSetting is one changed start-only setting, by its lvs.cf keyword. */
export interface RestartSetting {
  readonly keyword: string;
  readonly running: string;
  readonly file: string;
}

const address = (a: HostAddress | null): string => a?.text ?? '(none)';
const flag = (b: boolean): string => (b ? '1' : '0');

const SETTINGS: ReadonlyArray<readonly [keyword: string, value: (g: GlobalSettings) => string]> = [
  ['primary', (g) => address(g.primary)],
  ['primary_private', (g) => address(g.primaryPrivate)],
  ['backup', (g) => address(g.backup)],
  ['backup_private', (g) => address(g.backupPrivate)],
  ['backup_active', (g) => flag(g.backupActive)],
  ['heartbeat', (g) => flag(g.heartbeat)],
  ['heartbeat_port', (g) => String(g.heartbeatPort)],
  ['service', (g) => g.service],
  ['monitor_links', (g) => String(g.monitorLinks)],
  ['heartbeat_key_file', (g) => g.heartbeatKeyFile ?? '(none)'],
];

/** restartSettingsChanged lists the start-only settings that differ between the running and the re-read configuration. */
export function restartSettingsChanged(running: GlobalSettings, file: GlobalSettings): RestartSetting[] {
  return SETTINGS.flatMap(([keyword, value]) => {
    const [was, now] = [value(running), value(file)];
    return was === now ? [] : [{ keyword, running: was, file: now }];
  });
}

/** restartNotice is the log line for changed start-only settings, or null when there are none. */
export function restartNotice(changed: readonly RestartSetting[]): string | null {
  if (changed.length === 0) return null;
  const list = changed.map((c) => `${c.keyword} ${c.running} -> ${c.file}`).join(', ');
  return `configuration reloaded, but these settings take effect only when pulse restarts: ${list}`;
}
