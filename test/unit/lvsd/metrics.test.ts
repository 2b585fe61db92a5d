import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatMetrics } from '../../../src/lvsd/metrics.js';
import { statusSnapshot } from '../../../src/lvsd/status.js';
import { parseExposition } from '../../helpers/prometheus.js';
import { statusInput } from '../../helpers/status-fixture.js';

const web = { virtual: 'web', service: 'tcp 192.0.2.10:80' };
const a = { ...web, server: 'a', destination: '10.0.0.1:80' };
const b = { ...web, server: 'b', destination: '10.0.0.2:80' };

describe('formatMetrics', () => {
  const scrape = parseExposition(formatMetrics(statusSnapshot(statusInput())));

  it('is a valid exposition whose every family is named lvs_ and has HELP and TYPE', () => {
    for (const s of scrape.samples) {
      assert.match(s.name, /^lvs_/);
      assert.ok(scrape.types.has(s.name) && scrape.help.has(s.name), s.name);
      if (s.name.endsWith('_total')) assert.equal(scrape.types.get(s.name), 'counter', s.name);
    }
  });

  it('exports lvsd\'s own counters', () => {
    assert.equal(scrape.get('lvs_build_info', { version: '9.9.9' }), '1');
    assert.equal(scrape.get('lvs_start_time_seconds'), String(Date.parse('2026-01-02T03:04:05Z') / 1000));
    assert.equal(scrape.get('lvs_config_serial_number'), '42');
    assert.equal(scrape.get('lvs_config_reloads_total', { result: 'ok' }), '2');
    assert.equal(scrape.get('lvs_config_reloads_total', { result: 'failed' }), '1');
    assert.equal(scrape.get('lvs_kernel_read_ok'), '1');
    assert.equal(scrape.get('lvs_reconciliations_total'), '12');
    assert.equal(scrape.get('lvs_reconcile_failed_operations_total'), '1');
    assert.equal(scrape.get('lvs_checker_up', { checker: 'checker 1', program: 'node nanny.js --multi' }), '0');
    assert.equal(scrape.get('lvs_checker_restarts_total', { checker: 'checker 1' }), '3');
  });

  it('exports the kernel counters exactly, per service and per destination', () => {
    assert.equal(scrape.get('lvs_service_in_table', web), '1');
    assert.equal(scrape.get('lvs_service_connections_total', web), String(2n ** 60n + 1n));
    assert.equal(scrape.get('lvs_service_bytes_out_total', web), String(2n ** 60n + 5n));
    assert.equal(scrape.get('lvs_destination_packets_in_total', a), '102');
    assert.equal(scrape.get('lvs_destination_bytes_in_total', a), '104');
    assert.equal(scrape.get('lvs_destination_weight', a), '16');
    assert.equal(scrape.get('lvs_destination_active_connections', a), '7');
    assert.equal(scrape.get('lvs_destination_inactive_connections', a), '8');
    assert.equal(scrape.get('lvs_destination_weight', b), '0');
  });

  it('exports health only where it is known, and the sorry server\'s use', () => {
    assert.equal(scrape.get('lvs_server_healthy', a), '1');
    assert.equal(scrape.get('lvs_server_healthy', b), '0');
    assert.equal(scrape.get('lvs_server_healthy', { ...web, server: 'd', destination: '10.0.0.4:80' }), undefined);
    assert.equal(scrape.get('lvs_server_configured_weight', a), '64');
    assert.equal(scrape.get('lvs_sorry_server_in_use', { ...web, server: 'sorry_server', destination: '10.0.0.99:80' }), '0');
    assert.equal(scrape.samples.some((s) => s.labels['virtual'] === 'mail'), false, 'inactive services are left out');
    assert.equal(scrape.samples.some((s) => s.labels['server'] === 'c'), false, 'inactive servers are left out');
  });

  it('leaves the kernel counters out, and says so, when the table could not be read', () => {
    const cold = parseExposition(formatMetrics(statusSnapshot(statusInput({ kernel: false }))));
    assert.equal(cold.get('lvs_kernel_read_ok'), '0');
    assert.equal(cold.get('lvs_service_in_table', web), '0');
    assert.equal(cold.samples.some((s) => s.name.startsWith('lvs_destination_')), false);
  });

  it('escapes names from lvs.cf in label values', () => {
    const input = statusInput();
    const v = input.config.virtuals[0]!;
    v.name = 'we"b\\1\nx';
    const hostile = parseExposition(formatMetrics(statusSnapshot(input)));
    assert.equal(hostile.get('lvs_service_in_table', { virtual: 'we"b\\1\nx', service: 'tcp 192.0.2.10:80' }), '1');
  });
});
