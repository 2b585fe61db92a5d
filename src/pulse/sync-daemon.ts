/**
 * The IPVS connection sync daemon (reference piranha.md §2.8): when `syncdaemon = 1`, pulse runs
 * it as backup while inactive and as master while active, on `syncd_iface` with `syncd_id &
 * 0xff`. piranha ran `ipvsadm --stop-daemon backup`, `--stop-daemon master` and `--start-daemon`
 * each time; here the running daemons are listed first and only those are stopped, and a daemon
 * already in the wanted state is left alone (restarting it drops the sync state for nothing).
 */
import type { DaemonState, SyncDaemon } from '../ipvs/types.js';

/** SyncDaemons is what this needs of the IPVS client. */
export interface SyncDaemons {
  daemons(): Promise<SyncDaemon[]>;
  startDaemon(d: SyncDaemon): Promise<void>;
  stopDaemon(state: DaemonState): Promise<void>;
}

/** SyncSettings are the lvs.cf values. */
export interface SyncSettings {
  readonly iface: string;
  readonly syncId: number;
}

/** switchSyncDaemon leaves exactly one sync daemon running, in `state`; it returns what it did. */
export async function switchSyncDaemon(ipvs: SyncDaemons, state: DaemonState, s: SyncSettings): Promise<string[]> {
  const wanted: SyncDaemon = { state, interface: s.iface, syncId: s.syncId & 0xff };
  const running = await ipvs.daemons();
  const done: string[] = [];
  let keep = false;
  for (const d of running) {
    if (d.state === state && d.interface === wanted.interface && d.syncId === wanted.syncId) {
      keep = true;
      continue;
    }
    await ipvs.stopDaemon(d.state);
    done.push(`stopped ${d.state}`);
  }
  if (!keep) {
    await ipvs.startDaemon(wanted);
    done.push(`started ${state} on ${wanted.interface} syncid ${wanted.syncId}`);
  }
  return done;
}
