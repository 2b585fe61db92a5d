/**
 * send_arp's command line, without I/O. Two grammars:
 *
 * - The original (no long option anywhere): exactly `src_ip_addr src_hw_addr targ_ip_addr
 *   targ_hw_addr`, or `-i dev` followed by those four; anything else is a usage error (exit 1).
 * - The extended one, chosen by any argument that starts with `--` (or `-?`): options anywhere,
 *   one or more source addresses before the last three arguments.
 *
 * Addresses and MACs are kept as text here: the original checks them only after it has opened
 * its socket, and send_arp keeps that order.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { ANNOUNCE_MODES, type AnnounceMode } from './sender.js';

/** DEFAULT_DEVICE is the interface the original uses without `-i`. */
export const DEFAULT_DEVICE = 'eth0';

/** USAGE is the usage text printed (to stderr) on a bad command line, in the original's layout. */
export const USAGE = 'send_arp: sends out custom ARP packet.\n\tusage: send_arp [-i dev] src_ip_addr src_hw_addr targ_ip_addr targ_hw_addr\n\n';

/** SendArpRun is a command line that sends. */
export interface SendArpRun {
  readonly kind: 'run';
  readonly device: string;
  /** addresses are the `src_ip_addr` arguments: one in the original grammar, one or more in the extended one. */
  readonly addresses: readonly string[];
  /** sourceMac is `src_hw_addr`: the Ethernet source, ARP sender and (reply form) target MAC. */
  readonly sourceMac: string;
  /** targetIp is `targ_ip_addr`, which the original ignores entirely (and so does send_arp). */
  readonly targetIp: string;
  /** targetMac is `targ_hw_addr`, the Ethernet destination of ARP frames. */
  readonly targetMac: string;
  readonly mode: AnnounceMode;
  /** count is the number of rounds; intervalMs the pause between them. */
  readonly count: number;
  readonly intervalMs: number;
}

/** SendArpCommand is what a command line asks for. */
export type SendArpCommand =
  | SendArpRun
  | { readonly kind: 'help'; readonly text: string }
  | { readonly kind: 'version' }
  /** usage: print `message` (when not null) and USAGE to stderr, exit 1. */
  | { readonly kind: 'usage'; readonly message: string | null };

const HELP_AFTER = `
The original form, as piranha's pulse runs it (5 times, a second apart, per address):
  send_arp -i eth0 <VIP> <own MAC> <broadcast IP> ffffffffffff
sends one 60-byte gratuitous ARP reply: Ethernet destination targ_hw_addr, source
src_hw_addr; ARP sender and target both src_ip_addr at src_hw_addr. targ_ip_addr is
not used. MACs are 12 hex digits with optional ':' separators; addresses are dotted
quads or IPv4 host names. Without -i the interface is eth0.

Extensions (any option starting with '--' selects this grammar):
  several src_ip_addr arguments are announced in one call;
  --mode request sends the request form (op 1, target MAC ff:ff:ff:ff:ff:ff, as
  keepalived and 'arping -U' do), --mode both sends request then reply;
  an IPv6 src_ip_addr gets an unsolicited neighbour advertisement (Override set,
  to ff02::1 at 33:33:00:00:00:01, hop limit 255) whatever the mode;
  --count rounds, --interval seconds apart.

Exit status: 0 when every frame was sent; 1 on a usage error, 'Invalid hardware
address', 'send_arp: unknown host NAME', or a failed 'socket'/'sendto' (needs
CAP_NET_RAW; an unknown interface fails at 'sendto').
`;

function countArg(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new InvalidArgumentError('must be a whole number of at least 1');
  return Number(value);
}

function intervalArg(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > 3600) throw new InvalidArgumentError('must be a number of seconds from 0 to 3600');
  return n;
}

function original(args: readonly string[]): SendArpCommand {
  let device = DEFAULT_DEVICE;
  let rest = args;
  if (args.length === 6 && args[0] === '-i') {
    device = args[1] as string;
    rest = args.slice(2);
  } else if (args.length !== 4) return { kind: 'usage', message: null };
  const [address, sourceMac, targetIp, targetMac] = rest as [string, string, string, string];
  return { kind: 'run', device, addresses: [address], sourceMac, targetIp, targetMac, mode: 'reply', count: 1, intervalMs: 0 };
}

function extended(args: readonly string[]): SendArpCommand {
  let out = '';
  let err = '';
  const program = new Command('send_arp')
    .usage('[-i dev] [options] src_ip_addr... src_hw_addr targ_ip_addr targ_hw_addr')
    .description('Sends gratuitous ARP (and IPv6 neighbour advertisements) for floating addresses; a drop-in for piranha send_arp.')
    .helpOption('-?, --help', 'show this help')
    .option('-i, --interface <dev>', 'interface to send on', DEFAULT_DEVICE)
    .addOption(new Option('--mode <mode>', 'gratuitous ARP form for IPv4 addresses').choices(ANNOUNCE_MODES).default('reply'))
    .option('--count <n>', 'rounds to send', countArg, 1)
    .option('--interval <seconds>', 'pause between rounds', intervalArg, 1)
    .option('--version', 'print the version banner and exit')
    .argument('[args...]')
    .addHelpText('after', HELP_AFTER)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => (out += s),
      writeErr: (s) => (err += s),
      outputError: (s, write) => write(`send_arp: ${s.replace(/^error: /, '')}`),
    });
  try {
    program.parse(args, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError && e.exitCode === 0) return { kind: 'help', text: out };
    if (e instanceof CommanderError) return { kind: 'usage', message: err.trimEnd() };
    throw e;
  }
  const opts = program.opts<{ interface: string; mode: AnnounceMode; count: number; interval: number; version?: boolean }>();
  if (opts.version === true) return { kind: 'version' };
  const positional = program.args;
  if (positional.length < 4) return { kind: 'usage', message: 'send_arp: expected src_ip_addr... src_hw_addr targ_ip_addr targ_hw_addr' };
  const n = positional.length;
  return {
    kind: 'run',
    device: opts.interface,
    addresses: positional.slice(0, n - 3),
    sourceMac: positional[n - 3] as string,
    targetIp: positional[n - 2] as string,
    targetMac: positional[n - 1] as string,
    mode: opts.mode,
    count: opts.count,
    intervalMs: Math.round(opts.interval * 1000),
  };
}

/** parseSendArpArgs reads send_arp's arguments (without the program name). */
export function parseSendArpArgs(args: readonly string[]): SendArpCommand {
  return args.some((a) => a.startsWith('--') || a === '-?') ? extended(args) : original(args);
}
