import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IFA_F, LVS_ADDRESS_PROTO } from '../../../src/link/constants.js';
import { isOurs, staleAddresses } from '../../../src/link/stale.js';
import type { AddressEntry } from '../../../src/link/types.js';

const v4 = (address: string, label: string | null, extra: Partial<AddressEntry> = {}): AddressEntry => ({
  family: 4,
  index: 2,
  address,
  peer: null,
  prefix: 32,
  broadcast: null,
  label,
  flags: 0x80,
  scope: 0,
  proto: 0,
  ...extra,
});
const v6 = (address: string, proto: number): AddressEntry => ({ ...v4(address, null), family: 6, prefix: 128, proto });

describe('which addresses are ours', () => {
  const rule = { aliasLabels: ['eth0:1', 'eth0:2', 'eth1'] };
  const table: Array<[string, AddressEntry, boolean]> = [
    ['our mark, any label', v4('192.0.2.1', 'eth0:9', { proto: LVS_ADDRESS_PROTO }), true],
    ['our mark on IPv6', v6('2001:db8::1', LVS_ADDRESS_PROTO), true],
    ['a configured alias label (piranha leftover, no mark)', v4('192.0.2.2', 'eth0:1'), true],
    ['an alias label that is not configured', v4('192.0.2.3', 'eth0:7'), false],
    ['a configured device without alias: the machine address', v4('192.0.2.4', 'eth1'), false],
    ['the link name label', v4('192.0.2.5', 'eth0'), false],
    ['another protocol mark (kernel_lo)', v4('127.0.0.1', 'lo', { proto: 1 }), false],
    ['an IPv6 address without mark', v6('2001:db8::2', 0), false],
    ['a link-local IPv6 address (kernel_ll)', v6('fe80::1', 3), false],
  ];
  for (const [name, entry, ours] of table)
    it(`${name}: ${ours ? 'ours' : 'not ours'}`, () => {
      assert.equal(isOurs(entry, rule), ours);
    });

  it('honours another mark when told', () => {
    assert.equal(isOurs(v4('192.0.2.1', 'eth0', { proto: 99 }), { aliasLabels: [], proto: 99 }), true);
    assert.equal(isOurs(v4('192.0.2.1', 'eth0', { proto: LVS_ADDRESS_PROTO }), { aliasLabels: [], proto: 99 }), false);
  });

  it('lists stale addresses secondaries first', () => {
    const entries = [v4('10.0.0.1', 'eth0:1', { prefix: 24 }), v4('10.0.0.2', 'eth0:2', { prefix: 24, flags: 0x80 | IFA_F.SECONDARY }), v4('10.0.0.3', 'eth0')];
    assert.deepEqual(
      staleAddresses(entries, { aliasLabels: new Set(['eth0:1', 'eth0:2']) }).map((a) => a.address),
      ['10.0.0.2', '10.0.0.1'],
    );
  });
});
