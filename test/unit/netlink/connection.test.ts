import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NLM_F } from '../../../src/netlink/constants.js';
import { NetlinkError } from '../../../src/netlink/errors.js';
import { GenericNetlink } from '../../../src/netlink/genl.js';
import { encodeMessage } from '../../../src/netlink/message.js';
import { serveFamily, genlReply } from '../../../src/testing/genltest.js';
import { ack, dial, errno, multipart, reply } from '../../../src/testing/nltest.js';

const req = (operation: string, flags: number, payload = new Uint8Array(4)) => ({ operation, type: 0x30, flags, payload });

describe('NetlinkConnection', () => {
  it('sets NLM_F_REQUEST, the port id and increasing sequence numbers', async () => {
    const { connection, socket } = dial((r) => [ack(r)]);
    await connection.execute(req('a', NLM_F.ACK));
    await connection.execute(req('b', NLM_F.ACK));
    assert.deepEqual(socket.requests.map((m) => m.flags), [NLM_F.REQUEST | NLM_F.ACK, NLM_F.REQUEST | NLM_F.ACK]);
    assert.equal(socket.requests[0]?.pid, 4242);
    assert.equal(((socket.requests[1]?.seq ?? 0) - (socket.requests[0]?.seq ?? 0)) >>> 0, 1);
  });

  it('returns a doit reply that comes before its ACK', async () => {
    const { connection } = dial((r) => [reply(r, Uint8Array.of(9, 9, 9, 9)), ack(r)]);
    const got = await connection.execute(req('get', NLM_F.ACK));
    assert.deepEqual(got.map((m) => [...m.payload]), [[9, 9, 9, 9]]);
  });

  it('turns NLMSG_ERROR into a NetlinkError with the operation, errno name and extended ACK', async () => {
    const { connection } = dial((r) => [errno(r, 17, 'exists')]);
    await assert.rejects(connection.execute(req('add service tcp 10.0.0.1:80', NLM_F.ACK)), (e: unknown) => {
      assert.ok(e instanceof NetlinkError);
      assert.equal(e.code, 'EEXIST');
      assert.equal(e.errno, 17);
      assert.equal(e.operation, 'add service tcp 10.0.0.1:80');
      assert.equal(e.extAck, 'exists');
      assert.equal(e.message, 'add service tcp 10.0.0.1:80: EEXIST (exists)');
      return true;
    });
  });

  it('gathers a dump across many datagrams until NLMSG_DONE', async () => {
    const parts = Array.from({ length: 50 }, (_, i) => Uint8Array.of(i, 0, 0, 0));
    const { connection } = dial((r) => multipart(r, parts), { messagesPerDatagram: 7 });
    const got = await connection.execute(req('dump', NLM_F.DUMP));
    assert.deepEqual(got.map((m) => m.payload[0]), parts.map((_, i) => i));
  });

  it('fails an interrupted dump with EINTR so that the caller retries', async () => {
    const { connection } = dial((r) => {
      const m = multipart(r, [new Uint8Array(4), new Uint8Array(4)]);
      return m.map((x, i) => (i === 1 ? { ...x, flags: x.flags | NLM_F.DUMP_INTR } : x));
    });
    await assert.rejects(connection.execute(req('dump', NLM_F.DUMP)), (e: unknown) => e instanceof NetlinkError && e.code === 'EINTR');
  });

  it('runs one dump at a time, as the kernel allows per socket (EBUSY otherwise)', async () => {
    let running = 0;
    const { connection } = dial(async (r) => {
      if ((r.flags & NLM_F.DUMP) !== NLM_F.DUMP) return [ack(r)];
      if (running > 0) return [errno(r, 16)];
      running++;
      await new Promise((resolve) => setTimeout(resolve, 5));
      running--;
      return multipart(r, [Uint8Array.of(r.seq & 0xff, 0, 0, 0)]);
    });
    const dumps = await Promise.all(Array.from({ length: 5 }, () => connection.execute(req('dump', NLM_F.DUMP))));
    assert.equal(dumps.length, 5);
    assert.ok(dumps.every((d) => d.length === 1));
    await connection.execute(req('doit alongside', NLM_F.ACK));
  });

  it('keeps at most maxInFlight requests unanswered, so the kernel never drops answers (ENOBUFS)', async () => {
    let outstanding = 0;
    let most = 0;
    const { connection } = dial(async (r) => {
      outstanding++;
      most = Math.max(most, outstanding);
      await new Promise((resolve) => setTimeout(resolve, 1));
      outstanding--;
      return [ack(r)];
    }, { maxInFlight: 4 });
    await Promise.all(Array.from({ length: 40 }, () => connection.execute(req('bounded', NLM_F.ACK))));
    assert.equal(most, 4);
  });

  it('asks for one ACK per datagram and still reports each failure on its own request', async () => {
    const { connection, socket } = dial((r) => {
      if (r.payload[0] === 3) return [errno(r, 17)];
      return (r.flags & NLM_F.ACK) !== 0 ? [ack(r)] : [];
    });
    const results = await Promise.allSettled([1, 2, 3, 4, 5].map((n) => connection.execute(req(`op ${n}`, NLM_F.ACK, Uint8Array.of(n, 0, 0, 0)))));
    assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    assert.equal(((results[2] as PromiseRejectedResult).reason as NetlinkError).code, 'EEXIST');
    assert.deepEqual(socket.requests.map((m) => (m.flags & NLM_F.ACK) !== 0), [false, false, false, false, true]);
  });

  it('sends the requests of one tick in one datagram', async () => {
    const datagrams: number[] = [];
    const { connection, socket } = dial((r) => [ack(r)]);
    const send = socket.send.bind(socket);
    socket.send = (d) => {
      datagrams.push(d.length);
      return send(d);
    };
    await Promise.all(Array.from({ length: 10 }, () => connection.execute(req('batched', NLM_F.ACK))));
    assert.equal(datagrams.length, 1);
  });

  it('keeps pipelined requests of different datagrams apart when the answers come back out of order', async () => {
    let first: ((v: void) => void) | undefined;
    const gate = new Promise<void>((resolve) => (first = resolve));
    const { connection } = dial(async (r) => {
      if (r.payload[0] === 1) await gate;
      return [reply(r, Uint8Array.of(r.payload[0] as number, 0, 0, 0)), ack(r)];
    });
    const a = connection.execute(req('one', NLM_F.ACK, Uint8Array.of(1, 0, 0, 0)));
    await new Promise((resolve) => setImmediate(resolve)); // a datagram of its own
    const b = connection.execute(req('two', NLM_F.ACK, Uint8Array.of(2, 0, 0, 0)));
    const gotB = await b;
    first?.();
    const gotA = await a;
    assert.equal(gotA[0]?.payload[0], 1);
    assert.equal(gotB[0]?.payload[0], 2);
  });

  it('counts and drops a message nobody asked for, and a malformed datagram', async () => {
    const { connection, socket } = dial((r) => [ack(r)]);
    socket.inject(encodeMessage({ type: 2, flags: 0, seq: 99, pid: 0, payload: new Uint8Array(20) }));
    socket.inject(Uint8Array.of(200, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0));
    await connection.execute(req('after', NLM_F.ACK));
    assert.deepEqual(connection.stats, { unmatched: 1, malformed: 1 });
  });

  it('fails a request the kernel never answers with ETIMEDOUT', async () => {
    const { connection } = dial(() => [], { timeoutMs: 20 });
    await assert.rejects(connection.execute(req('silent', NLM_F.ACK)), (e: unknown) => e instanceof NetlinkError && e.code === 'ETIMEDOUT');
  });

  it('lets one request wait longer than the connection timeout', async () => {
    const { connection } = dial((r) => new Promise((resolve) => setTimeout(() => resolve([ack(r)]), 60)), { timeoutMs: 20 });
    await assert.rejects(connection.execute(req('short', NLM_F.ACK)), (e: unknown) => e instanceof NetlinkError && e.code === 'ETIMEDOUT');
    await connection.execute({ ...req('long', NLM_F.ACK), timeoutMs: 1000 });
  });

  it('fails pending and later requests once closed', async () => {
    const { connection } = dial(() => new Promise(() => {}));
    const pending = connection.execute(req('x', NLM_F.ACK));
    connection.close();
    await assert.rejects(pending, /closed/);
    await assert.rejects(connection.execute(req('y', NLM_F.ACK)), (e: unknown) => e instanceof NetlinkError && e.code === 'EBADF');
  });
});

describe('GenericNetlink', () => {
  it('resolves a family through nlctrl once and caches it', async () => {
    const { connection, socket } = dial(serveFamily({ name: 'IPVS', id: 0x22, version: 1 }, (m, r) => [genlReply(r, { cmd: m.cmd, version: 1, attributes: new Uint8Array(0) }), ack(r)]));
    const genl = new GenericNetlink(connection);
    assert.deepEqual(await genl.family('IPVS'), { name: 'IPVS', id: 0x22, version: 1 });
    await genl.family('IPVS');
    assert.equal(socket.requests.length, 1);
    const replies = await genl.request('ping', 0x22, { cmd: 15, version: 1, attributes: new Uint8Array(0) }, NLM_F.ACK);
    assert.deepEqual(replies.map((m) => m.cmd), [15]);
  });

  it('reports an unknown family as ENOENT and does not cache the failure', async () => {
    const { connection, socket } = dial(serveFamily({ name: 'IPVS', id: 0x22, version: 1 }, () => []));
    const genl = new GenericNetlink(connection);
    await assert.rejects(genl.family('NOPE'), (e: unknown) => e instanceof NetlinkError && e.code === 'ENOENT');
    await assert.rejects(genl.family('NOPE'));
    assert.equal(socket.requests.length, 2);
  });
});
