/** send_arp: Sends gratuitous ARP for a floating address (piranha-compatible). Not built yet; it says so honestly. */
import { createProgram, notImplemented, versionBanner } from './common.js';

/** main runs send_arp with an argv and returns its exit code. */
export function main(argv: readonly string[]): Promise<number> {
  const program = createProgram('send_arp', 'Sends gratuitous ARP for a floating address (piranha-compatible).').allowUnknownOption().allowExcessArguments();
  program.parse(argv);
  if (program.opts<{ version?: boolean }>().version === true) {
    process.stdout.write(versionBanner('send_arp'));
    return Promise.resolve(0);
  }
  return Promise.resolve(notImplemented('send_arp', 'sending ARP'));
}
