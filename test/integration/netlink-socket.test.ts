/** The real netlink socket against this machine's kernel: generic netlink family lookup. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NETLINK_GENERIC } from '../../src/netlink/constants.js';
import { NetlinkError } from '../../src/netlink/errors.js';
import { GenericNetlink } from '../../src/netlink/genl.js';
import { openConnection } from '../../src/netlink/socket.js';

describe('generic netlink on the real kernel', () => {
  it('resolves the nlctrl family to its fixed id and an absent family to ENOENT', async () => {
    const connection = openConnection(NETLINK_GENERIC);
    try {
      const genl = new GenericNetlink(connection);
      const ctrl = await genl.family('nlctrl');
      assert.equal(ctrl.id, 0x10);
      await assert.rejects(genl.family('NOSUCHFAMILY'), (e: unknown) => e instanceof NetlinkError && e.code === 'ENOENT');
      await assert.rejects(genl.family('A_NAME_OF_16_BYT'), (e: unknown) => e instanceof NetlinkError && e.code === 'EINVAL' && /at most 15 bytes/.test(e.message));
      const again = await genl.family('nlctrl');
      assert.equal(again.id, 0x10);
    } finally {
      connection.close();
    }
  });
});
