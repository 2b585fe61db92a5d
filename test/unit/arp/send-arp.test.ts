import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runSendArp, type SendArpDeps } from '../../../src/arp/send-arp.js';
import { USAGE } from '../../../src/arp/send-arp-args.js';
import type { ArpSender } from '../../../src/arp/sender.js';
import { AddonNotBuiltError, SystemCallError } from '../../../src/native/packet.js';
import { FakeArpSender, failDevice, type LinkFunc } from '../../../src/testing/arp-fake.js';

interface Run {
  status: number;
  stdout: string;
  stderr: string;
  sender: FakeArpSender;
  sleeps: number[];
  lookups: string[];
}

async function sendArp(args: string[], options: { link?: LinkFunc; open?: () => ArpSender; hosts?: Record<string, string> } = {}): Promise<Run> {
  const sender = new FakeArpSender(options.link);
  let stdout = '';
  let stderr = '';
  const sleeps: number[] = [];
  const lookups: string[] = [];
  const deps: SendArpDeps = {
    openSender: options.open ?? (() => sender),
    lookupIPv4: (name) => (lookups.push(name), Promise.resolve(options.hosts?.[name] ?? null)),
    sleep: (ms) => (sleeps.push(ms), Promise.resolve()),
    stdout: (s) => (stdout += s),
    stderr: (s) => (stderr += s),
    versionBanner: 'banner\n',
  };
  const status = await runSendArp(args, deps);
  return { status, stdout, stderr, sender, sleeps, lookups };
}

const shape = (r: Run) => r.sender.announcements.map((a) => `${a.device} ${a.ip} ${a.mac} ${a.mode} ${a.frames.length}`);

describe('send_arp (fake sender)', () => {
  it('pulse form: one reply-form frame to targ_hw_addr, nothing printed, exit 0, sender closed', async () => {
    const r = await sendArp(['-i', 'eth1', '10.0.0.5', '021A2B3C4D5E', '10.0.0.255', 'ffffffffffff']);
    assert.deepEqual([r.status, r.stdout, r.stderr], [0, '', '']);
    assert.deepEqual(shape(r), ['eth1 10.0.0.5 02:1a:2b:3c:4d:5e reply 1']);
    assert.equal(r.sender.isClosed, true);
  });

  it('uses targ_hw_addr as the Ethernet destination and never looks at targ_ip_addr', async () => {
    const r = await sendArp(['10.0.0.5', '021a2b3c4d5e', 'not a host at all', '02:00:00:00:00:07']);
    assert.equal(r.status, 0);
    assert.deepEqual(r.lookups, []);
    assert.equal(Buffer.from(r.sender.announcements[0]?.frames[0]?.subarray(0, 6) ?? []).toString('hex'), '020000000007');
    assert.equal(r.sender.announcements[0]?.device, 'eth0');
  });

  it('usage: the usage text on stderr and exit 1, without opening the socket', async () => {
    let opened = false;
    const r = await sendArp(['a', 'b', 'c'], {
      open: () => {
        opened = true;
        return new FakeArpSender();
      },
    });
    assert.deepEqual([r.status, r.stdout, r.stderr, opened], [1, '', USAGE, false]);
  });

  it("a refused socket() prints perror-style 'socket: <reason>' before the MACs are even read", async () => {
    const r = await sendArp(['10.0.0.5', 'bad', '10.0.0.255', 'bad'], {
      open: () => {
        throw new SystemCallError('open packet socket', 'socket', 1, 'Operation not permitted');
      },
    });
    assert.deepEqual([r.status, r.stderr], [1, 'socket: Operation not permitted\n']);
  });

  it('a missing addon says how to build it', async () => {
    const r = await sendArp(['10.0.0.5', '021a2b3c4d5e', '10.0.0.255', 'ffffffffffff'], {
      open: () => {
        throw new AddonNotBuiltError();
      },
    });
    assert.deepEqual([r.status, r.stderr], [1, 'send_arp: the native addon is not built: run npm run build\n']);
  });

  it("'Invalid hardware address' for either MAC, before any host lookup; the sender is closed", async () => {
    for (const args of [
      ['somehost', '021a2b3c4d5e', '10.0.0.255', 'fffffffffff'],
      ['somehost', '021a2b3c4d5', '10.0.0.255', 'ffffffffffff'],
      ['somehost', '02-1a-2b-3c-4d-5e', '10.0.0.255', 'ffffffffffff'],
    ]) {
      const r = await sendArp(args);
      assert.deepEqual([r.status, r.stderr, r.lookups, r.sender.isClosed], [1, 'Invalid hardware address\n', [], true], JSON.stringify(args));
    }
  });

  it("resolves host names (IPv4) and says 'send_arp: unknown host NAME' otherwise", async () => {
    const ok = await sendArp(['vip.example', '021a2b3c4d5e', 'x', 'ffffffffffff'], { hosts: { 'vip.example': '10.0.0.9' } });
    assert.deepEqual(shape(ok), ['eth0 10.0.0.9 02:1a:2b:3c:4d:5e reply 1']);
    const bad = await sendArp(['nohost.example', '021a2b3c4d5e', 'x', 'ffffffffffff']);
    assert.deepEqual([bad.status, bad.stderr, bad.sender.announcements.length], [1, 'send_arp: unknown host nohost.example\n', 0]);
  });

  it("a failed send prints 'sendto: <reason>' and exits 1 (an unknown device included)", async () => {
    const r = await sendArp(['-i', 'eth9', '10.0.0.5', '021a2b3c4d5e', '10.0.0.255', 'ffffffffffff'], { link: failDevice('eth9') });
    assert.deepEqual([r.status, r.stderr], [1, 'sendto: no such device\n']);
    assert.equal(r.sender.isClosed, true);
  });

  it('extensions: several addresses (IPv4, IPv6, names), --mode, --count rounds --interval apart', async () => {
    const r = await sendArp(['--mode', 'both', '--count', '3', '--interval', '0.5', '-i', 'eth1', '10.0.0.5', '2001:db8::5', 'vip', '021a2b3c4d5e', '0.0.0.0', 'ffffffffffff'], {
      hosts: { vip: '10.0.0.6' },
    });
    assert.equal(r.status, 0, r.stderr);
    const round = ['eth1 10.0.0.5 02:1a:2b:3c:4d:5e both 2', 'eth1 2001:db8::5 02:1a:2b:3c:4d:5e both 1', 'eth1 10.0.0.6 02:1a:2b:3c:4d:5e both 2'];
    assert.deepEqual(shape(r), [...round, ...round, ...round]);
    assert.deepEqual(r.sleeps, [500, 500]);
    assert.deepEqual(r.lookups, ['vip']);
  });

  it('an IPv6 literal works in the original grammar too (the original said unknown host)', async () => {
    const r = await sendArp(['2001:db8::5', '021a2b3c4d5e', '::', 'ffffffffffff']);
    assert.deepEqual(shape(r), ['eth0 2001:db8::5 02:1a:2b:3c:4d:5e reply 1']);
  });

  it('--help on stdout with exit 0; --version prints the banner', async () => {
    const help = await sendArp(['--help']);
    assert.equal(help.status, 0);
    assert.match(help.stdout, /--interval <seconds>/);
    const version = await sendArp(['--version']);
    assert.deepEqual([version.status, version.stdout], [0, 'banner\n']);
  });

  it('extended usage errors print the reason, then the usage text, exit 1', async () => {
    const r = await sendArp(['--count', 'many', 'a', 'b', 'c', 'd']);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^send_arp: option '--count <n>' argument 'many' is invalid/);
    assert.ok(r.stderr.endsWith(USAGE));
  });
});
