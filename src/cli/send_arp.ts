/** send_arp: sends gratuitous ARP for a floating address (piranha-compatible, with extensions). */
import { lookup } from 'node:dns/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { runSendArp } from '../arp/send-arp.js';
import { NativeArpSender } from '../arp/sender.js';
import { versionBanner } from './common.js';

async function lookupIPv4(name: string): Promise<string | null> {
  try {
    return (await lookup(name, { family: 4 })).address;
  } catch {
    return null;
  }
}

/** main runs send_arp with an argv (node, script, args...) and returns its exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  return runSendArp(argv.slice(2), {
    openSender: () => NativeArpSender.open(),
    lookupIPv4,
    sleep: (ms) => sleep(ms),
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
    versionBanner: versionBanner('send_arp'),
  });
}
