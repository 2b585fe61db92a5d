/** lvsadm: ipvsadm-compatible view and editor of the IPVS table. Not built yet; it says so honestly. */
import { createProgram, notImplemented, versionBanner } from './common.js';

/** main runs lvsadm with an argv and returns its exit code. */
export function main(argv: readonly string[]): Promise<number> {
  const program = createProgram('lvsadm', 'ipvsadm-compatible view and editor of the IPVS table.').allowUnknownOption().allowExcessArguments();
  program.parse(argv);
  if (program.opts<{ version?: boolean }>().version === true) {
    process.stdout.write(versionBanner('lvsadm'));
    return Promise.resolve(0);
  }
  return Promise.resolve(notImplemented('lvsadm', 'the IPVS table tool'));
}
