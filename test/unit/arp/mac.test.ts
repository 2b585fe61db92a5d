import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatMac, parseMac } from '../../../src/arp/mac.js';

const hex = (b: Uint8Array | null): string | null => (b === null ? null : Buffer.from(b).toString('hex'));

describe('parseMac (send_arp rules)', () => {
  const cases: Array<[string, string | null, string]> = [
    ['00E081AB12CD', '00e081ab12cd', '12 upper-case hex digits, as pulse passes them'],
    ['00e081ab12cd', '00e081ab12cd', 'lower case'],
    ['00:E0:81:aB:12:cD', '00e081ab12cd', 'colon separated, mixed case'],
    ['ffffffffffff', 'ffffffffffff', 'broadcast'],
    ['00e0:81ab:12cd', '00e081ab12cd', 'a colon may follow any pair'],
    ['00:e0:81:ab:12:cd:', '00e081ab12cd', 'a trailing colon'],
    ['00e081ab12cdEXTRA', '00e081ab12cd', 'the original ignores what follows the sixth pair'],
    ['00:e0:81:ab:12:cd:99', '00e081ab12cd', 'even a seventh pair'],
    ['', null, 'empty'],
    ['00e081ab12c', null, '11 digits'],
    ['0:e0:81:ab:12:cd', null, 'a single-digit group'],
    ['00::e0:81:ab:12:cd', null, 'two colons'],
    ['00-e0-81-ab-12-cd', null, 'dashes are not separators'],
    ['00e081ab12cg', null, 'a non-hex digit'],
    [' 00e081ab12cd', null, 'leading space'],
    ['0x00e081ab12', null, 'a 0x prefix'],
    ['００e081ab12cd', null, 'full-width digits'],
  ];
  for (const [text, want, why] of cases)
    it(`${JSON.stringify(text)} -> ${want ?? 'invalid'} (${why})`, () => {
      assert.equal(hex(parseMac(text)), want);
    });
});

describe('formatMac', () => {
  it('writes lower-case colon-separated pairs', () => {
    assert.equal(formatMac(Uint8Array.of(0, 0xe0, 0x81, 0xab, 0x12, 0xcd)), '00:e0:81:ab:12:cd');
  });

  it('rejects anything but six bytes', () => {
    assert.throws(() => formatMac(new Uint8Array(5)), TypeError);
  });
});
