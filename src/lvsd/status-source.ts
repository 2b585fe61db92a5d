/**
 * StatusSource: makes status documents on request. Each one costs one dump of the kernel's
 * services and the destinations of the configured ones; requests that arrive while a document
 * is being made share it, so a burst of clients or scrapes costs one dump.
 */
import type { LvsConfig } from '../config/model.js';
import type { IpvsClient } from '../ipvs/client.js';
import { readTable, serviceId, type ActualTable } from '../ipvs/reconcile.js';
import { serviceKeyOf } from './desired.js';
import { statusSnapshot, type StatusDocument, type StatusInput } from './status.js';

/** StatusParts are what a document is made of, apart from the table and the time. */
export type StatusParts = Omit<StatusInput, 'table' | 'kernelError' | 'now'>;

/** StatusSourceOptions wire the source to the daemon. */
export interface StatusSourceOptions {
  readonly client: Pick<IpvsClient, 'services' | 'destinations'>;
  /** gather reads the daemon's state; it is called once per document, just before the dump. */
  readonly gather: () => StatusParts;
  /** now is the wall clock in milliseconds (default Date.now). */
  readonly now?: () => number;
}

/** readConfiguredTable dumps the services and the destinations of those the configuration names. */
function readConfiguredTable(client: Pick<IpvsClient, 'services' | 'destinations'>, config: LvsConfig): Promise<ActualTable> {
  const wanted = new Set(config.virtuals.flatMap((v) => serviceKeyOf(v) ?? []).map(serviceId));
  return readTable(client, (key) => wanted.has(serviceId(key)));
}

/** StatusSource makes status documents. */
export class StatusSource {
  private pending: Promise<StatusDocument> | null = null;

  constructor(private readonly options: StatusSourceOptions) {}

  /** snapshot makes a document, or joins the one being made. */
  snapshot(): Promise<StatusDocument> {
    if (this.pending !== null) return this.pending;
    const made = this.make().finally(() => {
      if (this.pending === made) this.pending = null;
    });
    this.pending = made;
    return made;
  }

  private async make(): Promise<StatusDocument> {
    const parts = this.options.gather();
    let table: ActualTable | null = null;
    let kernelError: string | null = null;
    try {
      table = await readConfiguredTable(this.options.client, parts.config);
    } catch (e) {
      kernelError = e instanceof Error ? e.message : String(e);
    }
    return statusSnapshot({ ...parts, table, kernelError, now: (this.options.now ?? Date.now)() });
  }
}
