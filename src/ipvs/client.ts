/**
 * IpvsClient: the kernel's IPVS table over generic netlink. Every method is one request (or one
 * dump); requests may be issued concurrently and are pipelined on one socket. Errors are
 * IpvsError values naming the operation and its target.
 */
import type { AttributeEncoder} from '../netlink/attributes.js';
import { decodeAttributes } from '../netlink/attributes.js';
import type { NetlinkTransport } from '../netlink/connection.js';
import { NETLINK_GENERIC, NLM_F } from '../netlink/constants.js';
import { GenericNetlink, type Family, type GenlMessage } from '../netlink/genl.js';
import { openConnection } from '../netlink/socket.js';
import { NetlinkError } from '../netlink/errors.js';
import {
  daemonAttrs,
  decodeDaemonNest,
  decodeDestinationNest,
  decodeInfo,
  decodeServiceNest,
  decodeTimeouts,
  destinationAttrs,
  serviceAttrs,
  timeoutAttrs,
} from './codec.js';
import { IPVS_CMD, IPVS_CMD_ATTR, IPVS_GENL_NAME, IPVS_GENL_VERSION } from './constants.js';
import { toIpvsError, type ErrorContext, type IpvsOperation } from './errors.js';
import {
  describeService,
  hostPort,
  type DaemonState,
  type Destination,
  type DestinationEntry,
  type DestinationKey,
  type IpvsInfo,
  type Service,
  type ServiceEntry,
  type ServiceKey,
  type SyncDaemon,
  type Timeouts,
} from './types.js';

/** DUMP_RETRIES is how often an interrupted dump (the table changed meanwhile) is retried. */
const DUMP_RETRIES = 5;

/** IpvsClient reads and writes the IPVS table of the caller's network namespace. */
export class IpvsClient {
  private constructor(
    private readonly genl: GenericNetlink,
    private readonly family: Family,
  ) {}

  /** open resolves the IPVS family over a transport (a real socket when none is given). */
  static async open(transport: NetlinkTransport = openConnection(NETLINK_GENERIC)): Promise<IpvsClient> {
    const genl = new GenericNetlink(transport);
    try {
      return new IpvsClient(genl, await genl.family(IPVS_GENL_NAME));
    } catch (err) {
      transport.close();
      throw toIpvsError(err, 'resolve', '');
    }
  }

  /** close releases the socket. */
  close(): void {
    this.genl.transport.close();
  }

  private async run(op: IpvsOperation, target: string, cmd: number, attributes: AttributeEncoder | null, dump: boolean, context: ErrorContext = {}): Promise<GenlMessage[]> {
    const message = { cmd, version: IPVS_GENL_VERSION, attributes: attributes?.encode() ?? new Uint8Array(0) };
    // Starting and stopping a sync daemon waits for a kernel thread; it can take seconds on a busy host.
    const timeoutMs = op === 'start-daemon' || op === 'stop-daemon' ? 60_000 : undefined;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.genl.request(`${op} ${target}`.trim(), this.family.id, message, dump ? NLM_F.DUMP : NLM_F.ACK, timeoutMs);
      } catch (err) {
        if (dump && err instanceof NetlinkError && err.code === 'EINTR' && attempt < DUMP_RETRIES) continue;
        throw toIpvsError(err, op, target, context);
      }
    }
  }

  /** info reads the IPVS version and connection table size. */
  async info(): Promise<IpvsInfo> {
    const [reply] = await this.run('info', '', IPVS_CMD.GET_INFO, null, false);
    let info: IpvsInfo = { version: 0, connTableSize: 0 };
    if (reply !== undefined) decodeAttributes(reply.attributes, (d) => (info = decodeInfo(d)));
    return info;
  }

  /** services dumps every service with its counters. */
  async services(): Promise<ServiceEntry[]> {
    const replies = await this.run('list-services', '', IPVS_CMD.GET_SERVICE, null, true);
    return replies.map((r) => this.serviceFrom(r));
  }

  /** service reads one service. */
  async service(key: ServiceKey): Promise<ServiceEntry> {
    const replies = await this.run('get-service', describeService(key), IPVS_CMD.GET_SERVICE, serviceAttrs(key, false), false);
    const first = replies[0];
    if (first === undefined) throw new Error(`get service ${describeService(key)}: empty reply`);
    return this.serviceFrom(first);
  }

  private serviceFrom(reply: GenlMessage): ServiceEntry {
    let entry: ServiceEntry | undefined;
    decodeAttributes(reply.attributes, (d) => {
      while (d.next()) if (d.type() === IPVS_CMD_ATTR.SERVICE) d.nested((n) => (entry = decodeServiceNest(n)));
    });
    if (entry === undefined) throw new Error('IPVS reply without a service');
    return entry;
  }

  /** addService creates a service. */
  async addService(s: Service): Promise<void> {
    await this.run('add-service', describeService(s.key), IPVS_CMD.NEW_SERVICE, serviceAttrs(s, true), false, s);
  }

  /** editService changes a service's scheduler, flags, persistence or netmask in place. */
  async editService(s: Service): Promise<void> {
    await this.run('edit-service', describeService(s.key), IPVS_CMD.SET_SERVICE, serviceAttrs(s, true), false, s);
  }

  /** deleteService removes a service and its destinations. */
  async deleteService(key: ServiceKey): Promise<void> {
    await this.run('delete-service', describeService(key), IPVS_CMD.DEL_SERVICE, serviceAttrs(key, false), false);
  }

  /** destinations dumps the destinations of a service (an empty list when the service does not exist). */
  async destinations(key: ServiceKey): Promise<DestinationEntry[]> {
    const replies = await this.run('list-destinations', describeService(key), IPVS_CMD.GET_DEST, serviceAttrs(key, false), true);
    return replies.map((r) => {
      let entry: DestinationEntry | undefined;
      decodeAttributes(r.attributes, (d) => {
        while (d.next()) if (d.type() === IPVS_CMD_ATTR.DEST) d.nested((n) => (entry = decodeDestinationNest(n, key.family)));
      });
      if (entry === undefined) throw new Error('IPVS reply without a destination');
      return entry;
    });
  }

  /** addDestination adds a real server to a service. */
  async addDestination(key: ServiceKey, d: Destination): Promise<void> {
    await this.run('add-destination', target(key, d), IPVS_CMD.NEW_DEST, destinationAttrs(key, d, true), false);
  }

  /** editDestination changes a real server's weight, forwarding or thresholds. */
  async editDestination(key: ServiceKey, d: Destination): Promise<void> {
    await this.run('edit-destination', target(key, d), IPVS_CMD.SET_DEST, destinationAttrs(key, d, true), false);
  }

  /** deleteDestination removes a real server from a service. */
  async deleteDestination(key: ServiceKey, d: DestinationKey): Promise<void> {
    await this.run('delete-destination', target(key, d), IPVS_CMD.DEL_DEST, destinationAttrs(key, d, false), false);
  }

  /** timeouts reads the TCP, TCP FIN and UDP timeouts. */
  async timeouts(): Promise<Timeouts> {
    const [reply] = await this.run('get-timeouts', '', IPVS_CMD.GET_CONFIG, null, false);
    let t: Timeouts = { tcp: 0, tcpFin: 0, udp: 0 };
    if (reply !== undefined) decodeAttributes(reply.attributes, (d) => (t = decodeTimeouts(d)));
    return t;
  }

  /** setTimeouts sets the timeouts; a 0 leaves that one unchanged. */
  async setTimeouts(t: Timeouts): Promise<void> {
    await this.run('set-timeouts', '', IPVS_CMD.SET_CONFIG, timeoutAttrs(t), false);
  }

  /** daemons lists the running connection sync daemons. */
  async daemons(): Promise<SyncDaemon[]> {
    const replies = await this.run('list-daemons', '', IPVS_CMD.GET_DAEMON, null, true);
    return replies.map((r) => {
      let daemon: SyncDaemon | undefined;
      decodeAttributes(r.attributes, (d) => {
        while (d.next()) if (d.type() === IPVS_CMD_ATTR.DAEMON) d.nested((n) => (daemon = decodeDaemonNest(n)));
      });
      if (daemon === undefined) throw new Error('IPVS reply without a daemon');
      return daemon;
    });
  }

  /** startDaemon starts a connection sync daemon. */
  async startDaemon(d: SyncDaemon): Promise<void> {
    await this.run('start-daemon', `${d.state} on ${d.interface} (syncid ${d.syncId})`, IPVS_CMD.NEW_DAEMON, daemonAttrs(d, true), false);
  }

  /** stopDaemon stops the connection sync daemon of a state. */
  async stopDaemon(state: DaemonState): Promise<void> {
    await this.run('stop-daemon', state, IPVS_CMD.DEL_DAEMON, daemonAttrs({ state }, false), false);
  }

  /** flush removes every service and destination of the namespace. */
  async flush(): Promise<void> {
    await this.run('flush', '', IPVS_CMD.FLUSH, null, false);
  }

  /** zero resets the counters of one service, or of all when no key is given. */
  async zero(key?: ServiceKey): Promise<void> {
    await this.run('zero', key === undefined ? '' : describeService(key), IPVS_CMD.ZERO, key === undefined ? null : serviceAttrs(key, false), false);
  }
}

function target(key: ServiceKey, d: DestinationKey): string {
  return `${hostPort(d.address, d.port)} in ${describeService(key)}`;
}
