/**
 * The probe transport (native/probe.cc under src/check/tcp-probe.ts): its own promises beyond
 * the check semantics that tcp.test.ts runs on it. Real connections on loopback show the RST
 * close (no TIME_WAIT left), batches larger than one epoll round, IPv6, and close(); a fake
 * binding shows how events are routed to slots.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, describe, it } from 'node:test';
import { fallbackNotice, ProbeTransport } from '../../../src/check/tcp-probe.js';
import { defaultTcpTransport } from '../../../src/check/tcp.js';
import type { TcpHandlers } from '../../../src/check/tcp-transport.js';
import type { PacketBinding, ProberHandle } from '../../../src/native/packet.js';
import { Behaviours as B, closedTcpPort, stalledListener, tcpServer, type LoopbackServer } from './support/servers.js';

const transport = new ProbeTransport();
const servers: LoopbackServer[] = [];
after(async () => {
  transport.close();
  await Promise.all(servers.map((s) => s.close()));
});

async function serve(behaviour: Parameters<typeof tcpServer>[0]): Promise<LoopbackServer> {
  const s = await tcpServer(behaviour);
  servers.push(s);
  return s;
}

/** Trace is what a connection reported, in order. */
type Trace = string[];

/** recorderOf writes a connection's events into `seen`, calling `then` after each. */
function recorderOf(seen: string[], then: () => void = () => undefined): TcpHandlers {
  const note = (e: string): void => {
    seen.push(e);
    then();
  };
  return {
    connected: () => note('connected'),
    written: () => note('written'),
    data: (c) => note(`data:${Buffer.from(c).toString('latin1')}`),
    end: () => note('end'),
    error: (e) => note(`error:${e.code}`),
  };
}

/** probe opens one connection and resolves with its events once `until` says it is done (then closes it). */
function probe(host: string, port: number, send: string | null, readMax: number, until: (t: Trace) => boolean, on = transport): Promise<Trace> {
  return new Promise((resolve) => {
    const trace: Trace = [];
    const connection = on.open(
      host,
      port,
      send === null ? null : Buffer.from(send),
      readMax,
      recorderOf(trace, () => {
        if (!until(trace)) return;
        connection.close();
        resolve(trace);
      }),
    );
  });
}

const endsWith = (prefix: string) => (t: Trace) => t.some((e) => e.startsWith(prefix));

/** timeWaitCount counts TIME_WAIT sockets to or from `port` on loopback. */
function timeWaitCount(port: number): number {
  const out = execFileSync('ss', ['-Htan', 'state', 'time-wait', `( sport = :${port} or dport = :${port} )`], { encoding: 'utf8' });
  return out.split('\n').filter((l) => l.trim() !== '').length;
}

describe('probe transport on loopback', () => {
  it('is what TCP checks use here (the addon is built), so there is no fallback notice to log', () => {
    assert.equal(fallbackNotice(), null);
    assert.equal(defaultTcpTransport(4).name, 'probe');
  });

  it('reports connect, write and the reply in order, reading no more than readMax bytes', async () => {
    const got: Buffer[] = [];
    const s = await serve(B.recorder(got, 'PONG and more'));
    const trace = await probe('127.0.0.1', s.port, 'PING\n', 4, endsWith('data'));
    assert.deepEqual(trace, ['connected', 'written', 'data:PONG']);
    assert.equal(Buffer.concat(got).toString(), 'PING\n');
  });

  it('reports a close without data as end, and a refused connect as ECONNREFUSED', async () => {
    const s = await serve(B.closeAtOnce());
    assert.deepEqual(await probe('127.0.0.1', s.port, null, 10, endsWith('end')), ['connected', 'written', 'end']);
    assert.deepEqual(await probe('127.0.0.1', await closedTcpPort(), 'x', 10, endsWith('error')), ['error:ECONNREFUSED']);
  });

  it('works over IPv6', async () => {
    const { createServer } = await import('node:net');
    const server = createServer((c) => {
      c.on('error', () => undefined);
      c.end('HI');
    });
    await new Promise<void>((r) => server.listen(0, '::1', r));
    const port = (server.address() as { port: number }).port;
    try {
      assert.deepEqual(await probe('::1', port, null, 2, endsWith('data')), ['connected', 'written', 'data:HI']);
    } finally {
      server.close();
    }
  });

  it('ends each connection with RST, leaving no TIME_WAIT socket behind (node:net leaves one per check)', async () => {
    const s = await serve((c) => c.once('data', () => c.end('PONG\n')));
    await Promise.all(Array.from({ length: 200 }, () => probe('127.0.0.1', s.port, 'PING\n', 4, endsWith('data'))));
    await s.allClosed();
    assert.equal(timeWaitCount(s.port), 0);
  });

  it('reuses sockets after every kind of ending without carrying anything over: refused, aborted mid-connect, reset, read in part', async () => {
    const good = await serve((c) => c.once('data', () => c.end('PONG\n')));
    const resetting = await serve((c) => c.resetAndDestroy());
    const chatty = await serve((c) => c.write('x'.repeat(100)));
    const refused = await closedTcpPort();
    const stalled = await stalledListener();
    try {
      for (let round = 0; round < 20; round++) {
        assert.deepEqual(await probe('127.0.0.1', refused, 'x', 4, endsWith('error')), ['error:ECONNREFUSED']);
        assert.deepEqual(await probe('127.0.0.1', good.port, 'PING\n', 4, endsWith('data')), ['connected', 'written', 'data:PONG'], `round ${round}, after a refusal`);
        // Released mid-connect, as at a check's deadline.
        const seen: string[] = [];
        const hanging = transport.open('127.0.0.1', stalled.port, Buffer.from('x'), 4, recorderOf(seen));
        await new Promise((r) => setTimeout(r, 5));
        assert.deepEqual(seen, [], 'still connecting');
        hanging.close();
        assert.deepEqual(await probe('127.0.0.1', good.port, 'PING\n', 4, endsWith('data')), ['connected', 'written', 'data:PONG'], `round ${round}, after an abort`);
        const reset = await probe('127.0.0.1', resetting.port, 'PING\n', 4, (t) => t.some((e) => e.startsWith('error') || e === 'end'));
        assert.ok(['error:ECONNRESET', 'error:EPIPE', 'end'].includes(reset[reset.length - 1] ?? ''), reset.join());
        assert.deepEqual(await probe('127.0.0.1', chatty.port, null, 3, endsWith('data')), ['connected', 'written', 'data:xxx']);
        assert.deepEqual(await probe('127.0.0.1', good.port, 'PING\n', 4, endsWith('data')), ['connected', 'written', 'data:PONG'], `round ${round}, after a partial read`);
      }
    } finally {
      stalled.close();
    }
  });

  it('serves 3,000 connections at once, more than one epoll round takes (1,024)', async () => {
    const s = await serve((c) => c.once('data', () => c.write('OK')));
    const traces = await Promise.all(Array.from({ length: 3000 }, () => probe('127.0.0.1', s.port, 'go', 2, endsWith('data'))));
    assert.equal(traces.filter((t) => t.join() === 'connected,written,data:OK').length, 3000);
    await s.allClosed();
  });

  it('close() releases every open connection', async () => {
    const s = await serve(B.silent());
    const own = new ProbeTransport();
    const pending = Array.from({ length: 20 }, () => probe('127.0.0.1', s.port, null, 1, endsWith('data'), own));
    for (let i = 0; i < 200 && s.stats.accepted < 20; i++) await new Promise((r) => setTimeout(r, 5));
    assert.equal(s.stats.accepted, 20);
    own.close();
    await s.allClosed();
    void pending;
  });
});

/** FakeProber stands in for the addon: the test fills `events` and calls `deliver`. */
class FakeProber implements ProberHandle {
  static last: FakeProber | null = null;
  readonly events = new Int32Array(64);
  readonly data = new Uint8Array(64);
  readonly started: number[] = [];
  readonly released: number[] = [];
  failWith = 0;

  constructor(private readonly onEvents: (count: number) => void) {
    FakeProber.last = this;
  }

  start(slot: number): number {
    if (this.failWith !== 0) return this.failWith;
    this.started.push(slot);
    return 0;
  }

  release(slot: number): void {
    this.released.push(slot);
  }

  close(): void {}

  deliver(events: Array<[slot: number, kind: number, a?: number, b?: number]>): void {
    events.forEach(([slot, kind, a = 0, b = 0], i) => this.events.set([slot, kind, a, b], i * 4));
    this.onEvents(events.length);
  }
}

const fakeBinding = { Prober: FakeProber } as unknown as PacketBinding;

function recorder(): { handlers: TcpHandlers; seen: string[] } {
  const seen: string[] = [];
  return { seen, handlers: recorderOf(seen) };
}

describe('probe transport routing (fake prober)', () => {
  it('gives a failure at start to the error handler after open() returns, and frees the slot', async () => {
    const t = new ProbeTransport(fakeBinding);
    const fake = FakeProber.last as FakeProber;
    fake.failWith = 101; // ENETUNREACH
    const r = recorder();
    t.open('127.0.0.1', 1, null, 0, r.handlers);
    assert.deepEqual(r.seen, []);
    await new Promise((resolve) => process.nextTick(resolve));
    assert.deepEqual(r.seen, ['error:ENETUNREACH']);
    fake.failWith = 0;
    t.open('127.0.0.1', 1, null, 0, recorder().handlers);
    assert.deepEqual(fake.started, [0]);
  });

  it('routes events by slot, drops those of released slots, and reuses a slot only after the batch', () => {
    const t = new ProbeTransport(fakeBinding);
    const fake = FakeProber.last as FakeProber;
    const a = recorder();
    const b = recorder();
    const ca = t.open('127.0.0.1', 1, null, 8, a.handlers);
    t.open('127.0.0.1', 1, null, 8, b.handlers);
    assert.deepEqual(fake.started, [0, 1]);
    a.handlers.data = () => {
      a.seen.push('data');
      ca.close();
      // Opened while the batch is routed: it must not get slot 0, whose EOF is still in the batch.
      t.open('127.0.0.1', 1, null, 8, recorder().handlers);
    };
    fake.deliver([
      [0, 1],
      [1, 1],
      [0, 3, 0, 3],
      [0, 4],
      [1, 5, 104],
    ]);
    assert.deepEqual(a.seen, ['connected', 'data']);
    assert.deepEqual(b.seen, ['connected', 'error:ECONNRESET']);
    assert.deepEqual(fake.released, [0]);
    assert.deepEqual(fake.started, [0, 1, 2]);
    ca.close();
    assert.deepEqual(fake.released, [0], 'a second close does nothing');
    t.open('127.0.0.1', 1, null, 8, recorder().handlers);
    assert.deepEqual(fake.started, [0, 1, 2, 0]);
  });

  it('refuses a read bound beyond what the prober reads', () => {
    const t = new ProbeTransport(fakeBinding);
    assert.throws(() => t.open('127.0.0.1', 1, null, 4096, recorder().handlers), RangeError);
  });
});
