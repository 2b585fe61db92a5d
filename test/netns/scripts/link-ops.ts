/**
 * Runs link-layer operations against the real kernel of the namespace it runs in and prints
 * their results as one JSON array. Used by test/netns/link.test.ts through Netns.node(); the
 * operations come as a JSON array in argv[2]. A failed operation gives {error: {code, message}}
 * and the next one still runs.
 */
import { createSocket } from 'node:dgram';
import { NativeArpSender } from '../../../src/arp/sender.js';
import type { ArpSender } from '../../../src/arp/sender-interface.js';
import { Announcer } from '../../../src/link/announce.js';
import { systemClock } from '../../../src/clock.js';
import { RouteClient } from '../../../src/link/client.js';
import { RecordingArpSender } from '../../../src/testing/link-fakes.js';
import { vipRequest, type VipSpec } from '../../../src/link/vip.js';

type Op =
  | { op: 'add'; vip: VipSpec }
  | { op: 'remove'; vip: VipSpec }
  | { op: 'addresses'; link?: string }
  | { op: 'link'; name: string }
  | { op: 'links' }
  | { op: 'stale'; aliasLabels: string[] }
  | { op: 'bind'; address: string }
  | { op: 'announce'; vips: VipSpec[]; count: number; intervalMs: number; abortAfterMs?: number; sender?: 'fake' | 'native' };

const client = RouteClient.open();

async function run(o: Op): Promise<unknown> {
  switch (o.op) {
    case 'add':
      return client.addAddress(vipRequest(o.vip));
    case 'remove':
      return client.removeAddress(vipRequest(o.vip));
    case 'addresses':
      return client.addresses(o.link === undefined ? {} : { link: o.link });
    case 'link':
      return client.link(o.name);
    case 'links':
      return client.links();
    case 'stale':
      return (await client.removeStale({ aliasLabels: o.aliasLabels })).map((r) => ({ address: r.entry.address, label: r.entry.label, link: r.link, outcome: r.outcome, error: r.error === null ? null : r.error instanceof Error ? r.error.message : JSON.stringify(r.error) }));
    case 'bind': {
      // Binding to an address only works once it is usable (an IPv6 address under DAD is not).
      const socket = createSocket(o.address.includes(':') ? 'udp6' : 'udp4');
      try {
        await new Promise<void>((resolve, reject) => {
          socket.once('error', reject);
          socket.bind(0, o.address, () => resolve());
        });
        return 'bound';
      } finally {
        socket.close();
      }
    }
    case 'announce': {
      const recorder = new RecordingArpSender(systemClock);
      const native = o.sender === 'native' ? NativeArpSender.open() : null;
      // The native sender is wrapped so that its calls are recorded too.
      const sender: ArpSender = native === null ? recorder : { announce: (device, ip, mac) => native.announce(device, ip, mac).then(() => recorder.announce(device, ip, mac)) };
      const controller = new AbortController();
      if (o.abortAfterMs !== undefined) setTimeout(() => controller.abort(), o.abortAfterMs);
      let report;
      try {
        report = await new Announcer({ routes: client, sender }).announce(o.vips.map(vipRequest), { count: o.count, intervalMs: o.intervalMs, signal: controller.signal });
      } finally {
        native?.close();
      }
      const present = new Set((await client.addresses()).map((a) => a.address));
      return {
        cancelled: report.cancelled,
        ok: report.ok,
        allUp: report.allUpAt === null ? null : report.allUpAt - report.startedAt,
        allFirst: report.allFirstAt === null ? null : report.allFirstAt - report.startedAt,
        vips: report.vips.map((v) => ({ address: v.request.address, outcome: v.outcome, sent: v.sent, upAt: v.upAt, firstAt: v.firstAt, errors: v.errors.map(String), present: present.has(v.request.address) })),
        sent: recorder.sent,
      };
    }
  }
}

const ops = JSON.parse(process.argv[2] ?? '[]') as Op[];
const results: unknown[] = [];
try {
  for (const o of ops) {
    try {
      results.push(await run(o));
    } catch (err) {
      const e = err as { code?: string; message?: string };
      results.push({ error: { code: e.code ?? null, message: e.message ?? String(err) } });
    }
  }
} finally {
  client.close();
}
process.stdout.write(`${JSON.stringify(results)}\n`);
