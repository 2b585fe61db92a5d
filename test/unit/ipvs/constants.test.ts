import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as C from '../../../src/ipvs/constants.js';
import { headerConstants, headerPath } from '../../helpers/uapi.js';

const ipvsH = headerPath('ip_vs.h');

describe('IPVS constants match include/uapi/linux/ip_vs.h', { skip: ipvsH === null ? 'linux-libc-dev headers are not installed' : false }, () => {
  const h = ipvsH === null ? new Map<string, number>() : headerConstants(ipvsH);
  const groups: Array<[string, Record<string, number>]> = [
    ['IPVS_CMD_', C.IPVS_CMD],
    ['IPVS_CMD_ATTR_', C.IPVS_CMD_ATTR],
    ['IPVS_SVC_ATTR_', C.IPVS_SVC_ATTR],
    ['IPVS_DEST_ATTR_', C.IPVS_DEST_ATTR],
    ['IPVS_DAEMON_ATTR_', C.IPVS_DAEMON_ATTR],
    ['IPVS_STATS_ATTR_', C.IPVS_STATS_ATTR],
    ['IPVS_INFO_ATTR_', C.IPVS_INFO_ATTR],
    ['IP_VS_SVC_F_', C.IP_VS_SVC_F],
    ['IP_VS_CONN_F_', C.IP_VS_CONN_F],
    ['IP_VS_STATE_', C.IP_VS_STATE],
    ['IP_VS_CONN_F_TUNNEL_TYPE_', C.IP_VS_CONN_F_TUNNEL_TYPE],
    ['IP_VS_TUNNEL_ENCAP_FLAG_', C.IP_VS_TUNNEL_ENCAP_FLAG],
  ];
  for (const [prefix, table] of groups)
    for (const [name, value] of Object.entries(table))
      it(`${prefix}${name} = ${value}`, () => {
        assert.equal(h.get(`${prefix}${name}`), value);
      });
  for (const [name, value] of [
    ['IPVS_GENL_VERSION', C.IPVS_GENL_VERSION],
    ['IP_VS_SCHEDNAME_MAXLEN', C.IP_VS_SCHEDNAME_MAXLEN],
    ['IP_VS_PENAME_MAXLEN', C.IP_VS_PENAME_MAXLEN],
    ['IP_VS_IFNAME_MAXLEN', C.IP_VS_IFNAME_MAXLEN],
  ] as const)
    it(`${name} = ${value}`, () => {
      assert.equal(h.get(name), value);
    });
});
