/**
 * Loading lvs.cf for lvsd, at start and on SIGHUP: every finding is printed; a file with errors is
 * refused with piranha's log line (and on SIGHUP the running configuration stays); a valid one is
 * handed on. Reloads run one at a time, in the order the signals came.
 */
import type { CheckReport } from '../config/check.js';
import { formatDiagnostic, type Diagnostic } from '../config/diagnostic.js';
import type { LvsConfig } from '../config/model.js';
import type { Logger } from '../log.js';

/** ReadConfig reads and checks a configuration file (loadConfigFile, or an incremental loader). */
export type ReadConfig = (file: string) => Promise<{ diagnostics: readonly Diagnostic[]; report: CheckReport | null }>;

/** loadValidConfig reads `file`, prints each finding with `print`, and returns the configuration, or null when it has errors. */
export async function loadValidConfig(file: string, read: ReadConfig, log: Logger, print: (line: string) => void): Promise<LvsConfig | null> {
  const { diagnostics, report } = await read(file);
  for (const d of diagnostics) print(formatDiagnostic(file, d));
  const first = diagnostics.find((d) => d.severity === 'error');
  if (report?.config === undefined || report.config === null || first !== undefined) {
    log.info(first === undefined || first.line === 0 ? `failed to open ${file}` : `error parsing ${file} on line ${first.line}.`);
    return null;
  }
  return report.config;
}

/** ReloaderOptions wire the reloader. */
export interface ReloaderOptions {
  /** load returns the new valid configuration, or null (having said why). */
  readonly load: () => Promise<LvsConfig | null>;
  /** apply switches the daemon to a new configuration. */
  readonly apply: (config: LvsConfig) => Promise<void>;
  /** refused is told when a file was refused (for status). */
  readonly refused?: () => void;
  readonly log: Logger;
}

/** Reloader serves SIGHUP. */
export class Reloader {
  private pending: Promise<void> = Promise.resolve();

  constructor(private readonly options: ReloaderOptions) {}

  /** reload re-reads the configuration and applies it when valid; it resolves when the table has been changed, and never rejects. */
  reload(): Promise<void> {
    const run = async (): Promise<void> => {
      try {
        const next = await this.options.load();
        if (next === null) {
          this.options.log.info('configuration not reloaded: the running one is kept');
          this.options.refused?.();
        } else await this.options.apply(next);
      } catch (e) {
        this.options.log.info(`reload failed: ${(e as Error).message}`);
      }
    };
    this.pending = this.pending.then(run);
    return this.pending;
  }
}
