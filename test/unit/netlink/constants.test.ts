import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CTRL_ATTR, CTRL_CMD, GENL_ID_CTRL, NETLINK_GENERIC, NETLINK_ROUTE, NLA_F, NLM_F, NLMSG, NLMSGERR_ATTR } from '../../../src/netlink/constants.js';
import { headerConstants, headerPath } from '../../helpers/uapi.js';

const netlinkH = headerPath('netlink.h');
const genetlinkH = headerPath('genetlink.h');

describe('netlink constants match the uapi headers', { skip: netlinkH === null || genetlinkH === null ? 'linux-libc-dev headers are not installed' : false }, () => {
  const h = netlinkH === null || genetlinkH === null ? new Map<string, number>() : headerConstants(netlinkH, genetlinkH);
  const cases: Array<[string, number]> = [
    ['NETLINK_ROUTE', NETLINK_ROUTE],
    ['NETLINK_GENERIC', NETLINK_GENERIC],
    ['GENL_ID_CTRL', GENL_ID_CTRL],
    ['NLA_F_NESTED', NLA_F.NESTED],
    ['NLA_F_NET_BYTEORDER', NLA_F.NET_BYTEORDER],
    ['CTRL_CMD_GETFAMILY', CTRL_CMD.GETFAMILY],
    ...Object.entries(NLM_F).map(([k, v]): [string, number] => [`NLM_F_${k}`, v]),
    ...Object.entries(NLMSG).map(([k, v]): [string, number] => [`NLMSG_${k}`, v]),
    ...Object.entries(NLMSGERR_ATTR).map(([k, v]): [string, number] => [`NLMSGERR_ATTR_${k}`, v]),
    ...Object.entries(CTRL_ATTR).map(([k, v]): [string, number] => [`CTRL_ATTR_${k}`, v]),
  ];
  for (const [name, value] of cases)
    it(`${name} = ${value}`, () => {
      assert.equal(h.get(name), value);
    });
});
