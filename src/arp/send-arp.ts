/**
 * What send_arp does once its arguments are read, with its side effects injected, so the
 * original's order of checks and its messages can be tested without root:
 *
 *   usage -> socket -> targ_hw_addr -> src_hw_addr -> src_ip_addr (host lookup) -> sendto
 *
 * Every failure prints the original's message to stderr and gives exit status 1.
 */
import { ipFamily } from '../net/address.js';
import { NativeError, SystemCallError } from '../native/packet.js';
import { parseMac } from './mac.js';
import { parseSendArpArgs, USAGE } from './send-arp-args.js';
import type { ArpSender } from './sender.js';

/** SendArpDeps are send_arp's side effects. */
export interface SendArpDeps {
  /** openSender opens the link (the original's `socket()`); it throws SystemCallError or another NativeError. */
  openSender(): ArpSender;
  /** lookupIPv4 resolves a host name to one IPv4 address, or null when it cannot. */
  lookupIPv4(name: string): Promise<string | null>;
  /** sleep waits between rounds. */
  sleep(ms: number): Promise<void>;
  stdout(text: string): void;
  stderr(text: string): void;
  /** versionBanner is the text of --version. */
  readonly versionBanner: string;
}

function reason(e: unknown): string {
  return e instanceof SystemCallError ? e.reason : e instanceof Error ? e.message : String(e);
}

/** runSendArp runs send_arp with its arguments (program name excluded) and returns the exit status. */
export async function runSendArp(args: readonly string[], deps: SendArpDeps): Promise<number> {
  const command = parseSendArpArgs(args);
  switch (command.kind) {
    case 'help':
      deps.stdout(command.text);
      return 0;
    case 'version':
      deps.stdout(deps.versionBanner);
      return 0;
    case 'usage':
      deps.stderr(`${command.message === null ? '' : `${command.message}\n`}${USAGE}`);
      return 1;
    case 'run':
      break;
  }

  let sender: ArpSender;
  try {
    sender = deps.openSender();
  } catch (e) {
    if (e instanceof SystemCallError) deps.stderr(`socket: ${e.reason}\n`);
    else if (e instanceof NativeError) deps.stderr(`send_arp: ${e.message}\n`);
    else throw e;
    return 1;
  }
  try {
    const destination = parseMac(command.targetMac);
    const own = destination === null ? null : parseMac(command.sourceMac);
    if (own === null || destination === null) {
      deps.stderr('Invalid hardware address\n');
      return 1;
    }
    const addresses: string[] = [];
    for (const name of command.addresses) {
      const address = ipFamily(name) !== null ? name : await deps.lookupIPv4(name);
      if (address === null) {
        deps.stderr(`send_arp: unknown host ${name}\n`);
        return 1;
      }
      addresses.push(address);
    }
    for (let round = 0; round < command.count; round++) {
      if (round > 0) await deps.sleep(command.intervalMs);
      for (const address of addresses) {
        try {
          await sender.announce(command.device, address, own, command.mode, { destination });
        } catch (e) {
          // The original learns of an unknown device at sendto, so every send failure says 'sendto'.
          deps.stderr(`sendto: ${reason(e)}\n`);
          return 1;
        }
      }
    }
    return 0;
  } finally {
    sender.close();
  }
}
