/**
 * nanny's UDP check against real datagram sockets on 127.0.0.1: echo, every expect mode, a
 * closed port (the kernel's ICMP port unreachable comes back as ECONNREFUSED), silence, floods.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { runCheck } from '../../../src/check/run.js';
import { checkSpecFromOptions, type NannyCheckOptions } from '../../../src/check/spec.js';
import type { CheckResult } from '../../../src/check/result.js';
import { closedUdpPort, udpServer, type UdpServer } from './support/servers.js';

const TIMEOUT = 300;
const SLACK = 250;
const servers: UdpServer[] = [];
async function serve(reply: (d: Buffer) => Buffer | null): Promise<UdpServer> {
  const s = await udpServer(reply);
  servers.push(s);
  return s;
}
after(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

async function check(o: Partial<NannyCheckOptions>): Promise<CheckResult & { wallMs: number }> {
  const { spec } = checkSpecFromOptions({ server: '127.0.0.1', udp: true, interval: TIMEOUT / 1000, ...o });
  const t0 = performance.now();
  const r = await runCheck(spec);
  return { ...r, wallMs: performance.now() - t0 };
}

describe('UDP', () => {
  it('echo: sends the datagram and judges the reply by prefix', async () => {
    const s = await serve((d) => d);
    const r = await check({ port: s.port, sendString: 'PING\\n', expectString: 'PING' });
    assert.deepEqual([r.ok, r.bytesRead], [true, 4]);
    assert.equal(s.received[0]?.toString(), 'PING\n');
    assert.equal((await check({ port: s.port, sendString: 'PING', expectString: 'PONG' })).code, 'mismatch');
  });

  it('a reply datagram shorter than the expect string is too short (one datagram is the whole reply)', async () => {
    const s = await serve(() => Buffer.from('OK'));
    const r = await check({ port: s.port, sendString: 'x', expectString: 'OKAY' });
    assert.deepEqual([r.code, r.reason], ['read-short', `READ from 127.0.0.1:${s.port} was too short[2>=4]`]);
  });

  it('"*" and regex modes', async () => {
    const s = await serve(() => Buffer.from('status: ready\n'));
    assert.equal((await check({ port: s.port, sendString: 'x', expectString: '*' })).ok, true);
    assert.equal((await check({ port: s.port, sendString: 'x', expectString: 'status: (ready|ok)$', regex: false })).code, 'mismatch');
    assert.equal((await check({ port: s.port, sendString: 'x', expectString: 'status: (ready|ok)\\n$', regex: true })).ok, true);
  });

  it('without expect, any reply is up (nanny crashed here)', async () => {
    const s = await serve(() => Buffer.alloc(0));
    const r = await check({ port: s.port, sendString: 'x' });
    assert.equal(r.ok, true, r.reason);
  });

  it('a closed port: the ICMP port unreachable fails the check at once, in nanny\u2019s words', async () => {
    const port = await closedUdpPort();
    const r = await check({ port, sendString: 'PING', expectString: '*' });
    assert.deepEqual([r.code, r.reason], ['read-failed', 'READ returned error 111:Connection refused']);
    assert.ok(r.wallMs < TIMEOUT - 50, `took ${r.wallMs.toFixed(0)} ms`);
  });

  it('silence: READ timed out at the deadline', async (t) => {
    const s = await serve(() => null);
    const r = await check({ port: s.port, sendString: 'PING', expectString: '*' });
    assert.deepEqual([r.code, r.reason], ['read-timeout', `READ to 127.0.0.1:${s.port} timed out`]);
    t.diagnostic(`verdict after ${r.wallMs.toFixed(0)} ms (deadline ${TIMEOUT} ms)`);
    assert.ok(r.durationMs >= TIMEOUT - 1 && r.wallMs < TIMEOUT + SLACK);
  });

  it('no send string: nothing goes out, so nothing comes back before the deadline (as in nanny)', async () => {
    const s = await serve((d) => d);
    const r = await check({ port: s.port, expectString: '*' });
    assert.equal(r.code, 'read-timeout');
    assert.equal(s.received.length, 0);
  });

  it('a 60 KiB answer is judged on its first bytes; only the read bound is kept', async () => {
    const s = await serve(() => Buffer.alloc(60 * 1024, 'A'));
    const r = await check({ port: s.port, sendString: 'x', expectString: 'never', regex: true });
    assert.deepEqual([r.code, r.bytesRead], ['mismatch', 254]);
  });

  it('garbage: a mismatch', async () => {
    const s = await serve(() => Buffer.from([0, 0xff, 0x13]));
    assert.equal((await check({ port: s.port, sendString: 'x', expectString: 'OK' })).code, 'mismatch');
  });
});
