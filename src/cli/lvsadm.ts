/** lvsadm: ipvsadm-compatible view and editor of the IPVS table, over lvs-director's own netlink code. */
import { readFileSync } from 'node:fs';
import { IpvsClient } from '../ipvs/client.js';
import { IpvsError } from '../ipvs/errors.js';
import { IpvsadmUsageError, parseIpvsadmArgs } from '../ipvs/ipvsadm-args.js';
import { runCommand } from '../ipvs/ipvsadm-run.js';
import { VERSION } from '../version.js';

const USAGE = `lvsadm ${VERSION}: ipvsadm 1.31-compatible IPVS table tool (generic netlink, no ipvsadm needed)
Usage:
  lvsadm -A|E virtual-service [-s scheduler] [-p [timeout]] [-M netmask] [--pe persistence_engine] [-b sched-flags]
  lvsadm -D virtual-service
  lvsadm -C
  lvsadm -R                      (reads ipvsadm -S output on standard input)
  lvsadm -S [-n]
  lvsadm -a|e virtual-service -r server-address [-g|-i|-m] [-w weight] [-x upper-threshold] [-y lower-threshold]
             [--tun-type ipip|gue|gre] [--tun-port port] [--tun-nocsum|--tun-csum|--tun-remcsum]
  lvsadm -d virtual-service -r server-address
  lvsadm -L|l [virtual-service] [-n] [--stats|--rate|--thresholds|--persistent-conn|--tun-info] [--exact]
  lvsadm -L --timeout | --daemon
  lvsadm -Z [virtual-service]
  lvsadm --set tcp tcpfin udp
  lvsadm --start-daemon {master|backup} [--mcast-interface IF] [--syncid ID] [--sync-maxlen N]
                        [--mcast-group ADDR] [--mcast-port PORT] [--mcast-ttl TTL]
  lvsadm --stop-daemon {master|backup}
  lvsadm -h | -v

virtual-service:  -t|u|--sctp-service address[:port]   or   -f fwmark [-6]
  Addresses are numeric (IPv6 in brackets: [2001:db8::1]:80).
Defaults as ipvsadm: scheduler wlc, persistence 360 s, weight 1, gatewaying (-g), the
service's port for a server given without one.
Exit status: 0 done, 1 the kernel refused (the message says what and why), 2 usage.
`;

/** main runs lvsadm with an argv and returns its exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  let command;
  try {
    command = parseIpvsadmArgs(argv.slice(2));
  } catch (e) {
    if (!(e instanceof IpvsadmUsageError)) throw e;
    process.stderr.write(`lvsadm: ${e.message}\nTry \`lvsadm -h' or 'lvsadm --help' for more information.\n`);
    return 2;
  }
  if (command.kind === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  if (command.kind === 'version') {
    process.stdout.write(`lvsadm ${VERSION} (ipvsadm 1.31 compatible, generic netlink)\n`);
    return 0;
  }
  if (command.kind === 'list' && command.options.connection) {
    process.stderr.write('lvsadm: listing connections (-c) is not supported yet; read /proc/net/ip_vs_conn\n');
    return 2;
  }
  let client: IpvsClient;
  try {
    client = await IpvsClient.open();
  } catch (e) {
    process.stderr.write(`lvsadm: ${(e as Error).message}\n`);
    return 1;
  }
  try {
    const out = await runCommand(client, command, () => Promise.resolve(readFileSync(0, 'utf8')));
    process.stdout.write(out);
    return 0;
  } catch (e) {
    if (!(e instanceof IpvsError) && !(e instanceof Error && 'code' in e)) throw e;
    process.stderr.write(`lvsadm: ${(e as Error).message}\n`);
    return 1;
  } finally {
    client.close();
  }
}
