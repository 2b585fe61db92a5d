/**
 * Gratuitous ARP and unsolicited neighbour advertisements through the real addon, between two
 * namespaces made here: a peer's neighbour entry, seeded with a wrong MAC, must move to the
 * announcer's MAC, and tcpdump on the peer must see exactly the reference frames.
 */
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { netnsUnavailable } from '../helpers/netns.js';
import { startCapture, tcpdumpMissing } from './capture.js';
import { ANNOUNCER_MAC, makeLink, neighbourMac, seedNeighbour, waitForNeighbour, WRONG_MAC, type TestLink } from './arp-link.js';

const script = (name: string): string => fileURLToPath(new URL(`./scripts/${name}.js`, import.meta.url));
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const reason = netnsUnavailable();

const MAC_HEX = '021a2b3c4d5e';
const VIP = '10.213.1.100';
const VIP_HEX = '0ad50164';
const VIP6 = 'fd00:213:1::100';

/** REPLY_FRAME is the reference layout of piranha.md §5 for VIP at ANNOUNCER_MAC, broadcast. */
const REPLY_FRAME = `ffffffffffff${MAC_HEX}0806` + `0001080006040002` + `${MAC_HEX}${VIP_HEX}` + `${MAC_HEX}${VIP_HEX}` + '00'.repeat(18);
/** REQUEST_FRAME is the request form: op 1, target MAC ff:ff:ff:ff:ff:ff. */
const REQUEST_FRAME = `ffffffffffff${MAC_HEX}0806` + `0001080006040001` + `${MAC_HEX}${VIP_HEX}` + `ffffffffffff${VIP_HEX}` + '00'.repeat(18);
/** NA_FRAME is the unsolicited advertisement for VIP6; checksum 0xdbc1 computed independently. */
const NA_FRAME =
  `333300000001${MAC_HEX}86dd` +
  '60000000' + '0020' + '3a' + 'ff' + 'fd000213000100000000000000000100' + 'ff020000000000000000000000000001' +
  '8800' + 'dbc1' + '20000000' + 'fd000213000100000000000000000100' + '0201' + MAC_HEX;

describe('gratuitous ARP and NA between two namespaces', { skip: reason ?? false }, () => {
  let link: TestLink | null = null;
  const the = (): TestLink => link ?? assert.fail('the link was not made');

  before(() => {
    link = makeLink('garp', 'ann0', 'peer0', '10.213.1', 'fd00:213:1::');
  });
  after(() => link?.delete());

  const announce = (ip: string, mode: string, device = 'ann0') => {
    const r = the().announcer.node(script('announce'), [device, ip, ANNOUNCER_MAC, mode]);
    return { status: r.status, out: JSON.parse(r.stdout || 'null') as Record<string, unknown> | null, stderr: r.stderr };
  };

  it('tcpdump is available as the capture oracle', () => {
    assert.equal(tcpdumpMissing(), null);
  });

  for (const [mode, want] of [
    ['reply', REPLY_FRAME],
    ['request', REQUEST_FRAME],
  ] as const)
    it(`${mode} form: the peer's entry moves to the announcer's MAC; the frame is the reference layout`, async () => {
      seedNeighbour(the(), VIP);
      assert.equal(neighbourMac(the(), VIP), WRONG_MAC);
      const capture = await startCapture(the().peer, 'peer0', `ether src ${ANNOUNCER_MAC} and arp`, 1);
      try {
        const r = announce(VIP, mode);
        assert.deepEqual(r.out, { ok: true }, r.stderr);
        const [frame] = await capture.frames();
        assert.equal(hex(frame ?? new Uint8Array()), want);
      } finally {
        capture.stop();
      }
      assert.equal(await waitForNeighbour(the(), VIP, ANNOUNCER_MAC), ANNOUNCER_MAC);
    });

  it('both: the request form, then the reply form', async () => {
    seedNeighbour(the(), VIP);
    const capture = await startCapture(the().peer, 'peer0', `ether src ${ANNOUNCER_MAC} and arp`, 2);
    try {
      assert.deepEqual(announce(VIP, 'both').out, { ok: true });
      assert.deepEqual((await capture.frames()).map(hex), [REQUEST_FRAME, REPLY_FRAME]);
    } finally {
      capture.stop();
    }
    assert.equal(await waitForNeighbour(the(), VIP, ANNOUNCER_MAC), ANNOUNCER_MAC);
  });

  it('with arp_accept=1 a peer that had no entry learns one from either form', async () => {
    for (const [mode, ip] of [
      ['reply', '10.213.1.101'],
      ['request', '10.213.1.102'],
    ] as const) {
      assert.equal(neighbourMac(the(), ip), null);
      assert.deepEqual(announce(ip, mode).out, { ok: true });
      assert.equal(await waitForNeighbour(the(), ip, ANNOUNCER_MAC), ANNOUNCER_MAC, mode);
    }
  });

  it("IPv6: an unsolicited NA moves the peer's entry; the frame is byte for byte as expected", async () => {
    the().peer.ip('-6', 'neigh', 'replace', VIP6, 'lladdr', WRONG_MAC, 'dev', 'peer0', 'nud', 'stale');
    assert.equal(neighbourMac(the(), VIP6), WRONG_MAC);
    const capture = await startCapture(the().peer, 'peer0', `ether src ${ANNOUNCER_MAC} and icmp6 and ip6[40] == 136`, 1);
    try {
      assert.deepEqual(announce(VIP6, 'reply').out, { ok: true });
      const [frame] = await capture.frames();
      assert.equal(hex(frame ?? new Uint8Array()), NA_FRAME);
    } finally {
      capture.stop();
    }
    assert.equal(await waitForNeighbour(the(), VIP6, ANNOUNCER_MAC), ANNOUNCER_MAC);
  });

  it('errors carry errno names and system calls: unknown device, device down, bad address', () => {
    assert.deepEqual(announce(VIP, 'reply', 'nosuchdev0'), {
      status: 1,
      out: { ok: false, name: 'SystemCallError', code: 'ENODEV', syscall: 'if_nametoindex', errno: 19, reason: 'No such device', message: 'send on nosuchdev0: if_nametoindex: No such device' },
      stderr: '',
    });
    the().announcer.ip('link', 'add', 'down0', 'type', 'veth', 'peer', 'name', 'down1'); // new links start down
    const down = announce(VIP, 'reply', 'down0');
    assert.equal(down.status, 1);
    assert.equal(down.out?.code, 'ENETDOWN');
    assert.equal(down.out?.syscall, 'sendto');
    assert.equal(down.out?.reason, 'Network is down');
    const bad = announce('not-an-ip', 'reply');
    assert.deepEqual([bad.status, bad.out?.name], [1, 'TypeError']);
  });

  it('bindToDevice ties a UDP socket to an interface and unties it; an unknown one is ENODEV', () => {
    const r = the().announcer.node(script('bind-device'), ['ann0']);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { before: '', after: 'ann0', unknown: { code: 'ENODEV', syscall: 'setsockopt' }, cleared: '' });
    assert.equal(r.stderr, '');
  });
});
