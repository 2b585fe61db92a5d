import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isPartnerAddress, partnerAddresses, type PartnerAddresses } from '../../../src/pulse/peer.js';
import { parse } from '../../helpers/config.js';

const PARTNER: PartnerAddresses = { public: '192.0.2.2', private: '10.255.0.2' };

describe('isPartnerAddress', () => {
  it("accepts the partner's public and private addresses", () => {
    assert.equal(isPartnerAddress('192.0.2.2', PARTNER), true);
    assert.equal(isPartnerAddress('10.255.0.2', PARTNER), true);
  });

  it('ignores any other sender, however close', () => {
    for (const from of ['192.0.2.3', '192.0.2.20', '10.255.0.1', '192.0.2.1', '127.0.0.1', '', 'partner', '192.0.2.2.1', '192.0.2', '192.0.2.02', '192.0.2.258'])
      assert.equal(isPartnerAddress(from, PARTNER), false, from);
  });

  it('accepts the IPv4-mapped form a dual-stack socket reports, in either spelling', () => {
    assert.equal(isPartnerAddress('::ffff:192.0.2.2', PARTNER), true);
    assert.equal(isPartnerAddress('::FFFF:c000:202', PARTNER), true);
    assert.equal(isPartnerAddress('::ffff:192.0.2.9', PARTNER), false);
  });

  it('compares IPv6 in canonical form, without the zone', () => {
    const v6: PartnerAddresses = { public: '2001:db8::2', private: 'fe80::2' };
    assert.equal(isPartnerAddress('2001:DB8:0:0:0:0:0:2', v6), true);
    assert.equal(isPartnerAddress('fe80::2%eth1', v6), true);
    assert.equal(isPartnerAddress('2001:db8::3', v6), false);
  });

  it('matches nothing when the partner is unknown or unset', () => {
    assert.equal(isPartnerAddress('192.0.2.2', { public: null, private: null }), false);
    assert.equal(isPartnerAddress('0.0.0.0', { public: '0.0.0.0', private: null }), false);
    assert.equal(isPartnerAddress('::', { public: '::', private: null }), false);
  });
});

describe('partnerAddresses', () => {
  const HEAD = 'primary = 192.0.2.1\nbackup_active = 1\nbackup = 192.0.2.2\n';

  it("gives the master the backup's addresses and the backup the primary's", () => {
    const g = parse(`${HEAD}primary_private = 10.255.0.1\nbackup_private = 10.255.0.2\n`).config.global;
    assert.deepEqual(partnerAddresses(g, 'master'), { public: '192.0.2.2', private: '10.255.0.2' });
    assert.deepEqual(partnerAddresses(g, 'backup'), { public: '192.0.2.1', private: '10.255.0.1' });
  });

  it('ignores backup_private without primary_private, as piranha does', () => {
    const g = parse(`${HEAD}backup_private = 10.255.0.2\n`).config.global;
    assert.deepEqual(partnerAddresses(g, 'master'), { public: '192.0.2.2', private: '192.0.2.2' });
    assert.equal(isPartnerAddress('10.255.0.2', partnerAddresses(g, 'master')), false);
  });

  it('has no partner for a backup of 0.0.0.0 or an unresolved host name', () => {
    assert.deepEqual(partnerAddresses(parse('primary = 192.0.2.1\nbackup = 0.0.0.0\n').config.global, 'master'), { public: null, private: null });
    assert.deepEqual(partnerAddresses(parse('primary = director-a\nbackup = 192.0.2.2\n').config.global, 'backup'), { public: null, private: null });
  });
});
