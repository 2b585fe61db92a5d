/**
 * lvsd's metrics in the Prometheus text format, made from one status document (so one scrape
 * costs one dump of the table). Every name starts with `lvs_`. Services are labelled
 * {virtual, service}: the lvs.cf name and the IPVS identity ("tcp 192.0.2.10:80"); destinations
 * add {server, destination}: the lvs.cf server name ("sorry_server" for the sorry server) and
 * ADDRESS:PORT. Only active virtual services are exported; rates are left to PromQL's rate().
 * Pure.
 */
import { hostPort } from '../ipvs/types.js';
import { Exposition, RenderedLabels, type Labels } from './prometheus-text.js';
import type { Counters, DestinationCounters, StatusDocument } from './status.js';

type Add = (labels: Labels | RenderedLabels, value: number | bigint) => void;

interface CounterFamilies {
  readonly connections: Add;
  readonly packetsIn: Add;
  readonly packetsOut: Add;
  readonly bytesIn: Add;
  readonly bytesOut: Add;
}

function counterFamilies(x: Exposition, prefix: string, what: string): CounterFamilies {
  return {
    connections: x.family(`${prefix}_connections_total`, 'counter', `Connections scheduled to the ${what} (kernel counter).`),
    packetsIn: x.family(`${prefix}_packets_in_total`, 'counter', `Packets from clients to the ${what} (kernel counter).`),
    packetsOut: x.family(`${prefix}_packets_out_total`, 'counter', `Packets from the ${what} to clients (kernel counter; NAT only).`),
    bytesIn: x.family(`${prefix}_bytes_in_total`, 'counter', `Bytes from clients to the ${what} (kernel counter).`),
    bytesOut: x.family(`${prefix}_bytes_out_total`, 'counter', `Bytes from the ${what} to clients (kernel counter; NAT only).`),
  };
}

function addCounters(f: CounterFamilies, labels: RenderedLabels, c: Counters | null): void {
  if (c === null) return;
  f.connections(labels, c.connections);
  f.packetsIn(labels, c.packetsIn);
  f.packetsOut(labels, c.packetsOut);
  f.bytesIn(labels, c.bytesIn);
  f.bytesOut(labels, c.bytesOut);
}

/** formatMetrics writes the metrics of a status document. */
export function formatMetrics(doc: StatusDocument): string {
  const x = new Exposition();
  const info = x.family('lvs_build_info', 'gauge', 'Always 1; the version label is the running lvs-director version.');
  const started = x.family('lvs_start_time_seconds', 'gauge', 'When lvsd started, in seconds since the Unix epoch.');
  const serial = x.family('lvs_config_serial_number', 'gauge', 'The serial_no of the running lvs.cf.');
  const reloads = x.family('lvs_config_reloads_total', 'counter', 'Configuration reloads (SIGHUP), by result: ok, or failed (the file was refused and the running configuration kept).');
  const kernelRead = x.family('lvs_kernel_read_ok', 'gauge', '1 when this scrape could read the IPVS table, 0 when it could not (its counters are then missing).');
  const reconciliations = x.family('lvs_reconciliations_total', 'counter', 'Times lvsd brought the IPVS table to the desired state.');
  const failedOps = x.family('lvs_reconcile_failed_operations_total', 'counter', 'IPVS operations the kernel refused during reconciliation.');
  const checkerUp = x.family('lvs_checker_up', 'gauge', '1 when the checker process is running.');
  const checkerRestarts = x.family('lvs_checker_restarts_total', 'counter', 'Times the checker process died and was restarted.');
  const inTable = x.family('lvs_service_in_table', 'gauge', '1 when the virtual service is in the IPVS table.');
  const service = counterFamilies(x, 'lvs_service', 'virtual service');
  const destination = counterFamilies(x, 'lvs_destination', 'real server');
  const weight = x.family('lvs_destination_weight', 'gauge', 'Current weight of the destination in the IPVS table.');
  const active = x.family('lvs_destination_active_connections', 'gauge', 'Active connections of the destination.');
  const inactive = x.family('lvs_destination_inactive_connections', 'gauge', 'Inactive connections of the destination.');
  const configured = x.family('lvs_server_configured_weight', 'gauge', 'The weight lvs.cf gives the real server.');
  const healthy = x.family('lvs_server_healthy', 'gauge', '1 when the real server passes its checks, 0 when it fails them (absent while not known).');
  const sorryInUse = x.family('lvs_sorry_server_in_use', 'gauge', '1 while the sorry server is in the table (no real server of the service is up).');

  info({ version: doc.lvsd.version }, 1);
  started({}, Date.parse(doc.lvsd.startedAt) / 1000);
  serial({}, doc.config.serialNo);
  reloads({ result: 'ok' }, doc.config.reloads.ok);
  reloads({ result: 'failed' }, doc.config.reloads.failed);
  kernelRead({}, doc.kernel.read ? 1 : 0);
  reconciliations({}, doc.reconcile.runs);
  failedOps({}, doc.reconcile.failedOperations);
  for (const c of doc.checkers) {
    checkerUp({ checker: c.name, program: c.program }, c.running ? 1 : 0);
    checkerRestarts({ checker: c.name }, c.restarts);
  }

  const addDestination = (labels: RenderedLabels, d: DestinationCounters): void => {
    addCounters(destination, labels, d.counters);
    if (d.kernelWeight !== null) weight(labels, d.kernelWeight);
    if (d.activeConnections !== null) active(labels, d.activeConnections);
    if (d.inactiveConnections !== null) inactive(labels, d.inactiveConnections);
  };
  for (const s of doc.services) {
    if (!s.active || s.ipvs === null) continue;
    const base = { virtual: s.name, service: s.ipvs };
    const labels = new RenderedLabels(base);
    inTable(labels, s.inKernel ? 1 : 0);
    addCounters(service, labels, s.counters);
    for (const r of s.servers) {
      if (!r.active || r.address === null) continue;
      const rl = new RenderedLabels({ ...base, server: r.name, destination: hostPort(r.address, r.port) });
      addDestination(rl, r);
      configured(rl, r.configuredWeight);
      if (r.health === 'up' || r.health === 'down') healthy(rl, r.health === 'up' ? 1 : 0);
    }
    const sorry = s.sorryServer;
    if (sorry !== null) {
      const sl = new RenderedLabels({ ...base, server: 'sorry_server', destination: hostPort(sorry.address, sorry.port) });
      sorryInUse(sl, sorry.inUse ? 1 : 0);
      if (sorry.inUse) addDestination(sl, sorry);
    }
  }
  return x.text();
}
