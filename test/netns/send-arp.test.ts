/**
 * send_arp end to end, run through bin/send_arp.js inside a namespace made here: the original
 * four-argument form (as pulse runs it, and with its default device eth0), its error cases
 * with the original's messages and exit status, and the extensions.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { USAGE } from '../../src/arp/send-arp-args.js';
import { netnsUnavailable } from '../helpers/netns.js';
import { startCapture } from './capture.js';
import { ANNOUNCER_MAC, makeLink, PEER_MAC, seedNeighbour, waitForNeighbour, WRONG_MAC, type TestLink } from './arp-link.js';

const bin = fileURLToPath(new URL('../../../bin/send_arp.js', import.meta.url));
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const reason = netnsUnavailable();

const MAC_HEX = '021a2b3c4d5e';
const VIP = '10.213.2.100';
const VIP_HEX = '0ad50264';
const ARP_BODY = (op: string, tha: string, ip: string): string => `0806000108000604000${op}${MAC_HEX}${ip}${tha}${ip}${'00'.repeat(18)}`;

describe('send_arp in a namespace', { skip: reason ?? false }, () => {
  let link: TestLink | null = null;
  const the = (): TestLink => link ?? assert.fail('the link was not made');

  let etcDir: string | null = null;
  let madeEtcNetns = false;

  before(() => {
    // The announcer's end is called eth0, send_arp's default device.
    link = makeLink('sarp', 'eth0', 'peer0', '10.213.2', 'fd00:213:2::');
    the().announcer.ip('link', 'add', 'down0', 'type', 'veth', 'peer', 'name', 'down1'); // new links start down
    // `ip netns exec` bind-mounts /etc/netns/<name>/hosts over /etc/hosts for this namespace only.
    madeEtcNetns = !existsSync('/etc/netns');
    etcDir = `/etc/netns/${the().announcer.name}`;
    mkdirSync(etcDir, { recursive: true });
    writeFileSync(`${etcDir}/hosts`, `127.0.0.1 localhost\n${VIP} vip.send-arp.test\n`);
  });
  after(() => {
    link?.delete();
    if (etcDir !== null) rmSync(etcDir, { recursive: true, force: true });
    if (madeEtcNetns)
      try {
        rmdirSync('/etc/netns'); // only when empty: another test may use it meanwhile
      } catch {
        // not empty: leave it
      }
  });

  const sendArp = (...args: string[]) => the().announcer.node(bin, args);

  it('as pulse runs it: -i eth0 VIP MAC(upper case, no colons) broadcast-IP ffffffffffff', async () => {
    seedNeighbour(the(), VIP);
    const capture = await startCapture(the().peer, 'peer0', `ether src ${ANNOUNCER_MAC} and arp`, 1);
    try {
      const r = sendArp('-i', 'eth0', VIP, MAC_HEX.toUpperCase(), '10.213.2.255', 'ffffffffffff');
      assert.deepEqual([r.status, r.stdout, r.stderr], [0, '', '']);
      const [frame] = await capture.frames();
      // piranha.md §5: dst = targ_hw_addr, src = src_hw_addr, op 2, sender = target = VIP at src_hw_addr, 18 zero bytes.
      assert.equal(hex(frame ?? new Uint8Array()), `ffffffffffff${MAC_HEX}${ARP_BODY('2', MAC_HEX, VIP_HEX)}`);
    } finally {
      capture.stop();
    }
    assert.equal(await waitForNeighbour(the(), VIP, ANNOUNCER_MAC), ANNOUNCER_MAC);
  });

  it('four arguments without -i use eth0; targ_hw_addr is the Ethernet destination; targ_ip_addr is never looked at', async () => {
    seedNeighbour(the(), VIP);
    const capture = await startCapture(the().peer, 'peer0', `ether src ${ANNOUNCER_MAC} and arp`, 1);
    try {
      const r = sendArp(VIP, ANNOUNCER_MAC, 'no-such-host.invalid', PEER_MAC.toUpperCase());
      assert.deepEqual([r.status, r.stdout, r.stderr], [0, '', '']);
      const [frame] = await capture.frames();
      assert.equal(hex(frame ?? new Uint8Array()), `${PEER_MAC.replaceAll(':', '')}${MAC_HEX}${ARP_BODY('2', MAC_HEX, VIP_HEX)}`);
    } finally {
      capture.stop();
    }
    assert.equal(await waitForNeighbour(the(), VIP, ANNOUNCER_MAC), ANNOUNCER_MAC);
  });

  it('a host name for src_ip_addr is resolved (IPv4)', async () => {
    seedNeighbour(the(), VIP);
    // vip.send-arp.test is in this namespace's own hosts file (see before()).
    const r = sendArp('-i', 'eth0', 'vip.send-arp.test', MAC_HEX, 'x', 'ffffffffffff');
    assert.deepEqual([r.status, r.stderr], [0, '']);
    assert.equal(await waitForNeighbour(the(), VIP, ANNOUNCER_MAC), ANNOUNCER_MAC);
  });

  describe('errors: the original messages on stderr, exit 1', () => {
    it('usage', () => {
      for (const args of [[], ['a', 'b', 'c'], [VIP, MAC_HEX, 'x', 'ffffffffffff', 'extra'], ['-x', 'eth0', VIP, MAC_HEX, 'x', 'ffffffffffff'], ['-i', 'eth0', VIP, MAC_HEX, 'x']]) {
        const r = sendArp(...args);
        assert.deepEqual([r.status, r.stdout, r.stderr], [1, '', USAGE], JSON.stringify(args));
      }
    });

    it('Invalid hardware address (src_hw_addr or targ_hw_addr)', () => {
      for (const args of [
        ['-i', 'eth0', VIP, '02:1a:2b:3c:4d', 'x', 'ffffffffffff'],
        ['-i', 'eth0', VIP, MAC_HEX, 'x', 'ff:ff:ff:ff:ff:fg'],
        [VIP, 'zz1a2b3c4d5e', 'x', 'ffffffffffff'],
      ]) {
        const r = sendArp(...args);
        assert.deepEqual([r.status, r.stdout, r.stderr], [1, '', 'Invalid hardware address\n'], JSON.stringify(args));
      }
    });

    it('send_arp: unknown host NAME', () => {
      // The namespace has no route to any name server, so the lookup fails at once.
      const r = sendArp('-i', 'eth0', 'no-such-host.invalid', MAC_HEX, 'x', 'ffffffffffff');
      assert.deepEqual([r.status, r.stdout, r.stderr], [1, '', 'send_arp: unknown host no-such-host.invalid\n']);
    });

    it("an unknown device: perror-style 'sendto: No such device'", () => {
      const r = sendArp('-i', 'nosuchdev0', VIP, MAC_HEX, 'x', 'ffffffffffff');
      assert.deepEqual([r.status, r.stdout, r.stderr], [1, '', 'sendto: No such device\n']);
    });

    it("a device that is down: 'sendto: Network is down'", () => {
      const r = sendArp('-i', 'down0', VIP, MAC_HEX, 'x', 'ffffffffffff');
      assert.deepEqual([r.status, r.stdout, r.stderr], [1, '', 'sendto: Network is down\n']);
    });

    it("without CAP_NET_RAW: 'socket: Operation not permitted'", () => {
      const r = the().announcer.run('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', '--inh-caps=-all', '--bounding-set=-all', process.execPath, bin, '-i', 'eth0', VIP, MAC_HEX, 'x', 'ffffffffffff']);
      assert.deepEqual([r.status, r.stdout, r.stderr], [1, '', 'socket: Operation not permitted\n']);
    });
  });

  describe('extensions', () => {
    it('--mode both --count 2: several IPv4 and IPv6 addresses per call, every peer entry moved', async () => {
      const vips = ['10.213.2.110', '10.213.2.111'];
      const vip6 = 'fd00:213:2::100';
      for (const v of vips) seedNeighbour(the(), v);
      the().peer.ip('-6', 'neigh', 'replace', vip6, 'lladdr', WRONG_MAC, 'dev', 'peer0', 'nud', 'stale');
      const perRound = 2 + 2 + 1;
      const capture = await startCapture(the().peer, 'peer0', `ether src ${ANNOUNCER_MAC} and (arp or (icmp6 and ip6[40] == 136))`, 2 * perRound);
      try {
        const r = sendArp('--mode', 'both', '--count', '2', '--interval', '0.05', ...vips, vip6, ANNOUNCER_MAC, '10.213.2.255', 'ffffffffffff');
        assert.deepEqual([r.status, r.stdout, r.stderr], [0, '', '']);
        const frames = (await capture.frames()).map(hex);
        const kinds = frames.map((f) => (f.slice(24, 28) === '0806' ? `arp op ${f.slice(40, 44)} ${f.slice(56, 64)}` : `na ${f.slice(124, 156)}`));
        const round = ['arp op 0001 0ad5026e', 'arp op 0002 0ad5026e', 'arp op 0001 0ad5026f', 'arp op 0002 0ad5026f', 'na fd000213000200000000000000000100'];
        assert.deepEqual(kinds, [...round, ...round]);
        // checksum 0xdbbf computed independently
        assert.equal(frames[4]?.slice(112, 116), 'dbbf');
      } finally {
        capture.stop();
      }
      for (const v of [...vips, vip6]) assert.equal(await waitForNeighbour(the(), v, ANNOUNCER_MAC), ANNOUNCER_MAC, v);
    });

    it('--mode request sends the request form', async () => {
      seedNeighbour(the(), VIP);
      const capture = await startCapture(the().peer, 'peer0', `ether src ${ANNOUNCER_MAC} and arp`, 1);
      try {
        const r = sendArp('--mode', 'request', '-i', 'eth0', VIP, ANNOUNCER_MAC, 'x', 'ffffffffffff');
        assert.deepEqual([r.status, r.stderr], [0, '']);
        const [frame] = await capture.frames();
        assert.equal(hex(frame ?? new Uint8Array()), `ffffffffffff${MAC_HEX}${ARP_BODY('1', 'ffffffffffff', VIP_HEX)}`);
      } finally {
        capture.stop();
      }
      assert.equal(await waitForNeighbour(the(), VIP, ANNOUNCER_MAC), ANNOUNCER_MAC);
    });

    it('--help documents the extensions on stdout, exit 0', () => {
      const r = sendArp('--help');
      assert.equal(r.status, 0);
      for (const word of ['--mode', '--count', '--interval', 'IPv6']) assert.ok(r.stdout.includes(word), word);
    });
  });
});
