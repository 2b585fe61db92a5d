/**
 * CheckerSet: the checkers the daemon talks to, as one. A target whose service names nanny as its
 * client_monitor goes to the hub of nanny --multi shards; one with another program goes to the
 * external monitors, which run that program for it.
 */
import type { Checkers } from './daemon.js';
import type { ExternalMonitors } from './external-monitors.js';
import type { CheckerHub, CheckerProcess } from './hub.js';
import type { CheckTarget } from './targets.js';

/** CheckerSet routes each target to the hub or to the external monitors. */
export class CheckerSet implements Checkers {
  constructor(
    private readonly hub: Pick<CheckerHub, 'add' | 'remove' | 'stop' | 'describe'>,
    private readonly external: Pick<ExternalMonitors, 'add' | 'remove' | 'stop' | 'describe'>,
  ) {}

  /** add gives a target to whoever checks it; `running` starts lvsd's own checker from "up" (an external program starts as it does). */
  add(target: CheckTarget, running = false): void {
    if (target.external === null) this.hub.add(target, running);
    else this.external.add(target);
  }

  /** remove stops checking a target, wherever it is checked. */
  remove(id: string): void {
    this.hub.remove(id);
    this.external.remove(id);
  }

  /** stop ends every checker process and waits for them. */
  async stop(): Promise<void> {
    await Promise.all([this.hub.stop(), this.external.stop()]);
  }

  /** describe lists every checker process, shards first, for status. */
  describe(): CheckerProcess[] {
    return [...this.hub.describe(), ...this.external.describe()];
  }
}
