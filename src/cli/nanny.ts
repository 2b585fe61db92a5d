/** nanny: Health checker for one real server (piranha-compatible). Not built yet; it says so honestly. */
import { createProgram, notImplemented, versionBanner } from './common.js';

/** main runs nanny with an argv and returns its exit code. */
export function main(argv: readonly string[]): Promise<number> {
  const program = createProgram('nanny', 'Health checker for one real server (piranha-compatible).').allowUnknownOption().allowExcessArguments();
  program.parse(argv);
  if (program.opts<{ version?: boolean }>().version === true) {
    process.stdout.write(versionBanner('nanny'));
    return Promise.resolve(0);
  }
  return Promise.resolve(notImplemented('nanny', 'the health checker'));
}
