/**
 * fast-check arbitraries for lvs.cf models and values: only what the writer can represent and
 * the parser reads back unchanged (canonical addresses, hostnames with ip null, text without
 * line breaks and never both quote kinds together with a blank, nanny-valid escapes).
 */
import fc from 'fast-check';
import { GLOBAL_KEYWORDS, VIRTUAL_KEYWORDS, type KeywordSpec } from '../../src/config/keywords.js';
import {
  defaultGlobals,
  defaultVirtual,
  type AddressDevice,
  type GlobalSettings,
  type HostAddress,
  type LvsConfig,
  type RealServer,
  type VirtualService,
} from '../../src/config/model.js';
import { quoteToken } from '../../src/config/write.js';

/** representable tells whether quoteToken can write `s` (as a value that is always quoted, or not). */
export function representable(s: string, alwaysQuoted = false): boolean {
  try {
    quoteToken('x', s, alwaysQuoted);
    return true;
  } catch {
    return false;
  }
}

/** PLAIN makes records ordinary objects, as the parser builds them (deepStrictEqual compares prototypes). */
const PLAIN = { noNullPrototype: true } as const;

const octet = fc.integer({ min: 0, max: 255 });

/** ipv4 is a canonical dotted quad (what inet_ntoa prints). */
export const ipv4: fc.Arbitrary<string> = fc.tuple(octet, octet, octet, octet).map((p) => p.join('.'));

const hex16 = fc.integer({ min: 1, max: 0xffff }).map((n) => n.toString(16));

/** ipv6 is a canonical (RFC 5952) IPv6 literal, never `::`. */
export const ipv6: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('2001:db8::1', 'fe80::1', '::1', '2001:db8:0:1::10', '2001:db8:1:2:3:4:5:6'),
  hex16.map((h) => `2001:db8::${h}`),
  fc.tuple(hex16, hex16, hex16).map(([a, b, c]) => `2001:db8:${a}:${b}::${c}`),
);

/** hostname is a DNS-like name that neither inet_aton nor the IPv6 reader would take for an address. */
export const hostname: fc.Arbitrary<string> = fc.stringMatching(/^[g-z][a-z0-9-]{0,8}[a-z0-9](\.[a-z]{2,6}){0,2}$/);

/** hostAddress is an IPv4 (mostly), IPv6 or hostname address as the parser records it. */
export function hostAddress(options: { nonZero?: boolean; ipv6?: boolean } = {}): fc.Arbitrary<HostAddress> {
  const v4 = options.nonZero === true ? ipv4.filter((a) => a !== '0.0.0.0') : ipv4;
  const arbs: Array<fc.WeightedArbitrary<HostAddress>> = [
    { weight: 6, arbitrary: v4.map((ip): HostAddress => ({ text: ip, ip, family: 4 })) },
    { weight: 2, arbitrary: hostname.map((text): HostAddress => ({ text, ip: null, family: null })) },
  ];
  if (options.ipv6 !== false) arbs.push({ weight: 1, arbitrary: ipv6.map((ip): HostAddress => ({ text: ip, ip, family: 6 })) });
  return fc.oneof(...arbs);
}

/** device is an interface alias like eth0:1 (sometimes a bare interface). */
export const device: fc.Arbitrary<string> = fc.oneof(
  { weight: 5, arbitrary: fc.tuple(fc.constantFrom('eth0', 'eth1', 'bond0', 'ens3'), fc.integer({ min: 0, max: 99 })).map(([i, n]) => `${i}:${n}`) },
  { weight: 1, arbitrary: fc.constantFrom('eth0', 'eth1') },
);

export const addressDevice: fc.Arbitrary<AddressDevice> = fc.record({ host: hostAddress(), device }, PLAIN);

/** mask is a contiguous dotted netmask. */
export const mask: fc.Arbitrary<string> = fc.integer({ min: 0, max: 32 }).map((bits) => {
  const v = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return [v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff].join('.');
});

/** textChar mixes printable ASCII with the characters that matter to the lexer and some non-ASCII ones. */
const textChar: fc.Arbitrary<string> = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)) },
  { weight: 3, arbitrary: fc.constantFrom(' ', '\t', '"', "'", '\\', '#', '{', '}', '[', ']', '=') },
  { weight: 1, arbitrary: fc.constantFrom('é', '€', '日', '\u00a0', '\u2028', '\x00', '\x0b', '\x0c', '\x7f') },
);

/** text is any single-line string the writer can represent (quoted when `alwaysQuoted`). */
export function text(alwaysQuoted = false, maxLength = 24): fc.Arbitrary<string> {
  return fc.string({ unit: textChar, maxLength }).filter((s) => representable(s, alwaysQuoted));
}

/** name is a block name: usually a plain word, sometimes any representable text. */
export const name: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.stringMatching(/^[a-z][a-z0-9_-]{0,12}$/) },
  { weight: 1, arbitrary: text() },
);

/** command is a program with arguments, as active_cmd or send_program hold. */
const command = (alwaysQuoted: boolean): fc.Arbitrary<string> =>
  fc.oneof(
    fc.constantFrom('/usr/local/sbin/hook', '/etc/sysconfig/ha/check.sh %h %p', '/bin/true'),
    text(alwaysQuoted),
  );

/** checkString is a send/expect string with nanny's escapes only, writable in double or single quotes. */
export const checkString: fc.Arbitrary<string> = fc
  .array(
    fc.oneof(
      { weight: 6, arbitrary: textChar.filter((c) => c !== '\\') },
      { weight: 2, arbitrary: fc.constantFrom('\\\\', '\\r', '\\n', '\\t', "\\'", '\\"') },
    ),
    { maxLength: 16 },
  )
  .map((parts) => parts.join(''))
  .filter((s) => representable(s, true));

/** listItem is a word of a `dirs = [ ... ]` list (never ']', which would end the list). */
const listItem: fc.Arbitrary<string> = text(false, 10).filter((s) => s !== ']');

/** valueFor generates model values a keyword accepts, by its value kind. */
export function valueFor(spec: KeywordSpec<string>): fc.Arbitrary<unknown> {
  switch (spec.kind) {
    case 'int':
      return fc.integer({ min: 0, max: 100000 });
    case 'port':
      return fc.integer({ min: 1, max: 65535 });
    case 'seconds':
      return fc.oneof(fc.integer({ min: 0, max: 3600 }), fc.integer({ min: 1, max: 400 }).map((q) => q / 4));
    case 'bool':
      return fc.boolean();
    case 'host':
      return hostAddress();
    case 'host-nonzero':
      return hostAddress({ nonZero: true }).filter((h) => h.ip !== '::');
    case 'ip':
      return fc.oneof({ weight: 4, arbitrary: ipv4 }, { weight: 1, arbitrary: ipv6 });
    case 'mask':
      return mask;
    case 'pmask':
      return mask.filter((m) => m !== '255.255.255.255');
    case 'string':
      return spec.quoted === true ? command(true) : text();
    case 'check-string':
      return checkString;
    case 'enum':
      return fc.constantFrom(...(spec.values ?? []), ...(spec.extensionValues ?? []));
    case 'address-device':
      return addressDevice;
    case 'list':
      return fc.array(listItem, { maxLength: 6 });
  }
}

/** FIELD_RANGES narrows a few numeric fields to values that make sense for them. */
const FIELD_RANGES: Readonly<Record<string, fc.Arbitrary<unknown>>> = {
  serialNo: fc.integer({ min: 0, max: 2147483647 }),
  monitorLinks: fc.integer({ min: 0, max: 1 }),
  syncdId: fc.integer({ min: 0, max: 255 }),
  syncdIface: fc.constantFrom('eth0', 'eth1', 'bond0'),
  tcpTimeout: fc.integer({ min: 0, max: 86400 }),
  tcpfinTimeout: fc.integer({ min: 0, max: 86400 }),
  udpTimeout: fc.integer({ min: 0, max: 86400 }),
  debugLevel: fc.constantFrom('NONE', 'DEBUG'),
  rshCommand: fc.oneof(fc.constantFrom('rsh', 'ssh', 'ssh -x'), text()),
  ipvsadm: fc.constantFrom('/sbin/ipvsadm', '/usr/sbin/ipvsadm'),
  activeCmd: command(false),
  inactiveCmd: command(false),
  primaryShared: fc.constantFrom('/dev/sdb', '/dev/sdc1'),
  backupShared: fc.constantFrom('/dev/sdb', '/dev/sdc1'),
  heartbeatKeyFile: fc.oneof(fc.constantFrom('/etc/sysconfig/ha/heartbeat.key', '/root/hb key'), text()),
  fwmark: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 65535 })),
  persistent: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 86400 })),
  timeout: fc.integer({ min: 1, max: 3600 }),
  reentry: fc.integer({ min: 0, max: 3600 }),
  loadMonitor: fc.oneof(fc.constantFrom('none', 'uptime', 'rup', 'ruptime'), command(false)),
  clientMonitor: fc.constantFrom('/usr/sbin/nanny', '/usr/local/sbin/nanny'),
  weight: fc.integer({ min: 0, max: 65535 }),
};

function fieldsOf(specs: readonly KeywordSpec<string>[], defaults: object): Record<string, fc.Arbitrary<unknown>> {
  const d = defaults as Record<string, unknown>;
  const out: Record<string, fc.Arbitrary<unknown>> = {};
  for (const spec of specs) {
    const arb = FIELD_RANGES[spec.field] ?? valueFor(spec);
    out[spec.field] = d[spec.field] === null ? fc.option(arb, { nil: null }) : arb;
  }
  return out;
}

export const globalSettings: fc.Arbitrary<GlobalSettings> = fc
  .record(fieldsOf(GLOBAL_KEYWORDS, defaultGlobals()), PLAIN)
  .map((r) => r as unknown as GlobalSettings);

export const realServer: fc.Arbitrary<RealServer> = fc.record({
  name,
  address: fc.option(hostAddress(), { nil: null }),
  active: fc.boolean(),
  weight: fc.integer({ min: 0, max: 65535 }),
  port: fc.integer({ min: 1, max: 65535 }),
}, PLAIN);

export const virtualService: fc.Arbitrary<VirtualService> = fc
  .tuple(name, fc.record(fieldsOf(VIRTUAL_KEYWORDS, defaultVirtual('')), PLAIN), fc.array(realServer, { maxLength: 4 }))
  .map(([n, fields, servers]) => ({ ...(fields as unknown as Omit<VirtualService, 'name' | 'servers'>), name: n, servers }));

/** lvsConfig is a whole model the writer can represent. */
export const lvsConfig: fc.Arbitrary<LvsConfig> = fc.record({
  global: globalSettings,
  virtuals: fc.array(virtualService, { maxLength: 4 }),
  failovers: fc.array(virtualService, { maxLength: 2 }),
}, PLAIN);
