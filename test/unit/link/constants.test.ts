import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import * as C from '../../../src/link/constants.js';
import { headerConstants, headerPath } from '../../helpers/uapi.js';

const names = ['rtnetlink.h', 'if_addr.h', 'if_link.h', 'if.h', 'if_arp.h'] as const;
const paths = names.map(headerPath);
const missing = names.filter((_, i) => paths[i] === null);

/**
 * rtnetlink.h and if_link.h put `#define X X` lines between enum items, and if.h wraps part of
 * enum net_device_flags in #if blocks; the header reader splits enum items on commas, so it
 * reads the enums from copies without preprocessor lines (read last, so their values win) and
 * the #defines from the originals.
 */
function withoutDirectives(files: string[]): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'uapi-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return files.map((f, i) => {
    const out = join(dir, `${i}.h`);
    writeFileSync(out, readFileSync(f, 'utf8').replace(/^\s*#.*$/gm, ''));
    return out;
  });
}

describe('rtnetlink constants match the uapi headers', { skip: missing.length > 0 ? `linux-libc-dev headers missing: ${missing.join(', ')}` : false }, () => {
  const h = missing.length > 0 ? new Map<string, number>() : headerConstants(...(paths as string[]), ...withoutDirectives(paths as string[]));
  const groups: Array<[string, Record<string, number>]> = [
    ['RTM_', C.RTM],
    ['RTNLGRP_', C.RTNLGRP],
    ['RTMGRP_', C.RTMGRP],
    ['RTEXT_FILTER_', C.RTEXT_FILTER],
    ['RT_SCOPE_', C.RT_SCOPE],
    ['IFLA_', C.IFLA],
    ['IFA_', C.IFA],
    ['IFA_F_', C.IFA_F],
    ['IFF_', C.IFF],
    ['IF_OPER_', C.IF_OPER],
    ['ARPHRD_', C.ARPHRD],
  ];
  for (const [prefix, table] of groups)
    for (const [name, value] of Object.entries(table))
      it(`${prefix}${name} = ${value}`, () => {
        assert.equal(h.get(`${prefix}${name}`), value);
      });

  it('IFAPROTO_* match where the header defines them (linux-libc-dev 6.2+), and LVS_ADDRESS_PROTO is none of them', () => {
    for (const [name, value] of Object.entries(C.IFAPROTO)) {
      const v = h.get(`IFAPROTO_${name}`);
      if (v !== undefined) assert.equal(v, value, `IFAPROTO_${name}`);
    }
    assert.ok(!Object.values(C.IFAPROTO).includes(C.LVS_ADDRESS_PROTO as 0));
    assert.ok(C.LVS_ADDRESS_PROTO > 0 && C.LVS_ADDRESS_PROTO <= 0xff);
  });

  it('struct sizes and IFNAMSIZ', () => {
    assert.equal(h.get('IFNAMSIZ'), C.IFNAMSIZ);
    // struct ifinfomsg: u8 family, u8 pad, u16 type, i32 index, u32 flags, u32 change.
    assert.equal(C.IFINFOMSG_LEN, 1 + 1 + 2 + 4 + 4 + 4);
    // struct ifaddrmsg: u8 family, u8 prefixlen, u8 flags, u8 scope, u32 index.
    assert.equal(C.IFADDRMSG_LEN, 4 * 1 + 4);
  });
});

describe('address family numbers', () => {
  const socketH = ['/usr/include/x86_64-linux-gnu/bits/socket.h', '/usr/include/aarch64-linux-gnu/bits/socket.h', '/usr/include/bits/socket.h'].find((p) => {
    try {
      readFileSync(p);
      return true;
    } catch {
      return false;
    }
  });
  it('AF_UNSPEC, AF_INET, AF_INET6 match bits/socket.h (PF_*)', { skip: socketH === undefined ? 'libc6-dev bits/socket.h not found' : false }, () => {
    const h = headerConstants(socketH as string);
    assert.equal(h.get('PF_UNSPEC'), C.AF_UNSPEC);
    assert.equal(h.get('PF_INET'), C.AF_INET);
    assert.equal(h.get('PF_INET6'), C.AF_INET6);
  });
});
