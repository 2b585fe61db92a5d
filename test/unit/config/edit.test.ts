import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EditError, editConfig, type BlockPath, type ConfigEdit } from '../../../src/config/edit.js';
import { defaultVirtual, type LvsConfig, type RealServer, type VirtualService } from '../../../src/config/model.js';
import { writeServer, writeVirtual } from '../../../src/config/write.js';
import { parse, readSample, SAMPLES, SERVICES } from '../../helpers/config.js';
import { linesOf, type LineInfo } from '../../helpers/lines.js';

/** rawLines are the lines of a text with their terminators, for order and presence checks. */
function rawLines(text: string): string[] {
  return linesOf(text).map((l) => text.slice(l.start, l.next));
}

interface BlockInfo {
  readonly header: LineInfo | null;
  readonly close: LineInfo | null;
  /** statements are the block's own keyword lines before its first nested block. */
  readonly statements: LineInfo[];
  /** children are the headers of its nested blocks. */
  readonly children: LineInfo[];
}

/**
 * locate finds a block by the names on its path ([] is the top level) by counting braces
 * (the test files are well formed), independently of the syntax tree under test.
 */
function locate(text: string, names: readonly string[]): BlockInfo {
  const lines = linesOf(text);
  const stack: string[] = [];
  let header: LineInfo | null = null;
  let close: LineInfo | null = null;
  const statements: LineInfo[] = [];
  const children: LineInfo[] = [];
  const here = (): boolean => stack.length === names.length && stack.every((n, i) => n === names[i]);
  for (const line of lines) {
    const t = line.content.trim();
    if (t === '' || t.startsWith('#')) continue;
    const h = /^(virtual|failover|server)[ \t]+(\S+)[ \t]+\{$/.exec(t);
    if (h !== null) {
      if (here()) children.push(line);
      stack.push(h[2] as string);
      if (here()) header = line;
      continue;
    }
    if (t === '}') {
      if (here()) close = line;
      stack.pop();
      continue;
    }
    if (here() && children.length === 0) statements.push(line);
  }
  if (names.length > 0) assert.ok(header !== null && close !== null, `block ${names.join('/')} found`);
  return { header, close, statements, children };
}

function keywordOf(line: LineInfo): string {
  return line.content.trim().split(/[ \t]+/)[0] ?? '';
}

/** statementOf finds the (last) line of a block's own keyword. */
function statementOf(text: string, names: readonly string[], key: string): LineInfo {
  const found = locate(text, names).statements.filter((l) => keywordOf(l) === key);
  const last = found[found.length - 1];
  assert.ok(last !== undefined, `${key} is set in ${names.join('/') || 'the top level'}`);
  return last;
}

/** valueSpan is where a statement's value stands: from the first token after '=' to the last non-blank. */
function valueSpan(text: string, line: LineInfo): { start: number; end: number } {
  const c = line.content;
  let i = c.indexOf('=') + 1;
  while (c[i] === ' ' || c[i] === '\t') i++;
  let j = c.length;
  while (j > i && (c[j - 1] === ' ' || c[j - 1] === '\t')) j--;
  assert.ok(j > i, `a value on ${JSON.stringify(text.slice(line.start, line.end))}`);
  return { start: line.start + i, end: line.start + j };
}

function indentOf(line: LineInfo): string {
  return (/^[ \t]*/.exec(line.content) as RegExpExecArray)[0];
}

/** isSubsequence tells whether every item of `part` occurs in `whole`, in order. */
function assertSubsequence(part: readonly string[], whole: readonly string[]): void {
  let i = 0;
  for (const w of whole) if (i < part.length && w === part[i]) i++;
  assert.equal(i, part.length, 'every original line is still present, in order');
}

function throwsEditError(fn: () => unknown, code: EditError['code']): EditError {
  let caught: unknown;
  assert.throws(fn, (e: unknown) => {
    caught = e;
    return e instanceof EditError && e.code === code;
  });
  return caught as EditError;
}

/**
 * decorate adds what hand-edited files have: comments (also indented and inside blocks),
 * blank lines, tabs and odd indentation, extra blanks around '=' and trailing blanks.
 */
function decorate(text: string): string {
  const out = ['# lvs.cf, hand edited', '', '   # an indented comment'];
  let depth = 0;
  let n = 0;
  for (const line of text.split('\n')) {
    const t = line.trim();
    if (t === '') continue;
    n++;
    if (t === '}') {
      depth--;
      out.push(depth === 0 ? '}' : `${'  '.repeat(n % 3)}}  `);
      if (depth === 0) out.push('');
      continue;
    }
    if (t.endsWith('{')) {
      if (depth === 0) out.push(`# the ${t.split(' ')[1] ?? ''} service`);
      out.push(depth === 0 ? t : `\t${t}`);
      depth++;
      if (depth === 1) out.push('\t# inside the block', '');
      continue;
    }
    const [key, , ...rest] = t.split(' ');
    const indent = depth === 0 ? ['', '', ' '][n % 3] : depth === 1 ? ['\t', '  ', '   \t'][n % 3] : ['\t\t', '        ', ' \t '][n % 3];
    const eq = ['=', '  =\t', ' =  '][n % 3] as string;
    const trailing = t.endsWith('"') ? '' : ['', ' ', '\t '][n % 3];
    out.push(`${indent}${key ?? ''} ${eq} ${rest.join(' ')}${trailing}`);
  }
  return out.join('\n') + '\n';
}

const crlf = (text: string): string => text.replace(/\n/g, '\r\n');

interface Variant {
  readonly label: string;
  readonly text: string;
  readonly eol: string;
}

function variantsOf(sample: string): Variant[] {
  const text = readSample(sample);
  return [
    { label: 'as shipped', text, eol: '\n' },
    { label: 'with CRLF line endings', text: crlf(text), eol: '\r\n' },
    { label: 'with comments, blank lines and odd indentation', text: decorate(text), eol: '\n' },
    { label: 'decorated, with CRLF line endings', text: crlf(decorate(text)), eol: '\r\n' },
  ];
}

const clone = (c: LvsConfig): LvsConfig => structuredClone(c);
const edit = (text: string, e: ConfigEdit | readonly ConfigEdit[]) => editConfig(text, e, { services: SERVICES });
const host = (ip: string) => ({ text: ip, ip, family: 4 as const });

for (const sample of SAMPLES) {
  for (const variant of variantsOf(sample)) {
    describe(`editConfig on ${sample} ${variant.label}`, () => {
      const before = variant.text;
      const original = parse(before);
      const config = original.config;
      const first = config.virtuals[0] as VirtualService;
      const last = config.virtuals[config.virtuals.length - 1] as VirtualService;
      const firstServer = first.servers[0] as RealServer;
      const lastServer = last.servers[0] as RealServer;
      const vPath = (v: VirtualService): BlockPath => [{ kind: 'virtual', name: v.name }];
      const sPath = (v: VirtualService, s: RealServer): BlockPath => [...vPath(v), { kind: 'server', name: s.name }];

      it('reads the same model as the sample, without diagnostics', () => {
        assert.deepEqual(original.diagnostics, []);
        assert.deepEqual(config, parse(readSample(sample)).config);
      });

      /** assertValueSet checks that only the value bytes of `key` in block `names` changed, to `rendered`. */
      function assertValueSet(after: string, names: readonly string[], key: string, rendered: string): void {
        const span = valueSpan(before, statementOf(before, names, key));
        assert.equal(after.slice(0, span.start), before.slice(0, span.start), 'the prefix is unchanged');
        assert.equal(after.slice(after.length - (before.length - span.end)), before.slice(span.end), 'the suffix is unchanged');
        assert.equal(after, before.slice(0, span.start) + rendered + before.slice(span.end));
      }

      it('sets an existing top-level value in place', () => {
        const r = edit(before, { op: 'set', block: [], key: 'serial_no', value: 99 });
        assertValueSet(r.text, [], 'serial_no', '99');
        const want = clone(config);
        want.global.serialNo = 99;
        assert.deepEqual(r.parsed.config, want);
      });

      it('sets an existing virtual value in place', () => {
        const r = edit(before, { op: 'set', block: vPath(first), key: 'timeout', value: 42 });
        assertValueSet(r.text, [first.name], 'timeout', '42');
        const want = clone(config);
        (want.virtuals[0] as VirtualService).timeout = 42;
        assert.deepEqual(r.parsed.config, want);
      });

      it('sets an existing server value in place', () => {
        const r = edit(before, { op: 'set', block: sPath(first, firstServer), key: 'active', value: false });
        assertValueSet(r.text, [first.name, firstServer.name], 'active', '0');
        const want = clone(config);
        ((want.virtuals[0] as VirtualService).servers[0] as RealServer).active = false;
        assert.deepEqual(r.parsed.config, want);
      });

      it('sets a two-token value (address and device) in place', () => {
        const address = { host: host('192.0.2.200'), device: 'eth0:7' };
        const r = edit(before, { op: 'set', block: vPath(first), key: 'address', value: address });
        assertValueSet(r.text, [first.name], 'address', '192.0.2.200 eth0:7');
        const want = clone(config);
        (want.virtuals[0] as VirtualService).address = address;
        assert.deepEqual(r.parsed.config, want);
      });

      it('sets a host value in place', () => {
        const r = edit(before, { op: 'set', block: sPath(first, firstServer), key: 'address', value: { text: 'real-1.example.com', ip: null, family: null } });
        assertValueSet(r.text, [first.name, firstServer.name], 'address', 'real-1.example.com');
        const r2 = edit(before, { op: 'set', block: [], key: 'primary', value: host('192.0.2.254') });
        assertValueSet(r2.text, [], 'primary', '192.0.2.254');
        assert.deepEqual(r2.parsed.config.global.primary, host('192.0.2.254'));
      });

      /** assertInserted checks that exactly one line, `key = rendered`, was added after the block's last own keyword. */
      function assertInserted(after: string, names: readonly string[], key: string, rendered: string): void {
        const block = locate(before, names);
        assert.ok(!block.statements.some((l) => keywordOf(l) === key), `${key} was not set before`);
        const anchor = block.statements[block.statements.length - 1] as LineInfo;
        const line = `${indentOf(anchor)}${key} = ${rendered}${variant.eol}`;
        assert.equal(after, before.slice(0, anchor.next) + line + before.slice(anchor.next));
        const lines = rawLines(after);
        assert.equal(lines.length, rawLines(before).length + 1);
        assertSubsequence(rawLines(before), lines);
        const at = lines.indexOf(line);
        assert.ok(at >= 0);
        // Among the block's own keywords: after them, before any nested block (the servers).
        const firstChild = locate(after, names).children[0];
        if (firstChild !== undefined) assert.ok((linesOf(after)[at] as LineInfo).start < firstChild.start, 'before the server blocks');
        const closeOrNext = locate(after, names).close;
        if (closeOrNext !== null) assert.ok((linesOf(after)[at] as LineInfo).start < closeOrNext.start);
      }

      it('inserts a missing top-level keyword after the last top-level keyword', () => {
        const r = edit(before, { op: 'set', block: [], key: 'rsh_command', value: 'ssh -x' });
        assertInserted(r.text, [], 'rsh_command', '"ssh -x"');
        const want = clone(config);
        want.global.rshCommand = 'ssh -x';
        assert.deepEqual(r.parsed.config, want);
      });

      it('inserts a missing virtual keyword among its keywords, before its servers', () => {
        const r = edit(before, { op: 'set', block: vPath(last), key: 'client_monitor', value: '/usr/local/sbin/nanny' });
        assertInserted(r.text, [last.name], 'client_monitor', '/usr/local/sbin/nanny');
        const want = clone(config);
        (want.virtuals[want.virtuals.length - 1] as VirtualService).clientMonitor = '/usr/local/sbin/nanny';
        assert.deepEqual(r.parsed.config, want);
      });

      it('inserts a missing server keyword before the server closing brace', () => {
        const r = edit(before, { op: 'set', block: sPath(last, lastServer), key: 'port', value: 8080 });
        assertInserted(r.text, [last.name, lastServer.name], 'port', '8080');
        const want = clone(config);
        ((want.virtuals[want.virtuals.length - 1] as VirtualService).servers[0] as RealServer).port = 8080;
        assert.deepEqual(r.parsed.config, want);
      });

      it('unsets a keyword by removing exactly its line', () => {
        const line = statementOf(before, [first.name], 'timeout');
        const r = edit(before, { op: 'unset', block: vPath(first), key: 'timeout' });
        assert.equal(r.text, before.slice(0, line.start) + before.slice(line.next));
        const want = clone(config);
        (want.virtuals[0] as VirtualService).timeout = 10;
        assert.deepEqual(r.parsed.config, want);
      });

      it('unsets a server keyword, falling back to its default', () => {
        const line = statementOf(before, [first.name, firstServer.name], 'active');
        const r = edit(before, { op: 'unset', block: sPath(first, firstServer), key: 'active' });
        assert.equal(r.text, before.slice(0, line.start) + before.slice(line.next));
        assert.equal(r.parsed.config.virtuals[0]?.servers[0]?.active, false);
      });

      it('leaves the text alone when unsetting a keyword that is not set', () => {
        const r = edit(before, { op: 'unset', block: vPath(last), key: 'client_monitor' });
        assert.equal(r.text, before);
      });

      it('appends an added virtual service at the end, in the file line ending', () => {
        const service: VirtualService = {
          ...defaultVirtual('added one'),
          active: true,
          address: { host: host('192.0.2.222'), device: 'eth0:9' },
          port: 8080,
          send: 'GET / HTTP/1.0\\r\\n\\r\\n',
          servers: [{ name: 'r1', address: host('10.9.9.9'), active: true, weight: 3, port: 8081 }],
        };
        const r = edit(before, { op: 'add-virtual', service });
        assert.equal(r.text, before + writeVirtual(service).replace(/\n/g, variant.eol));
        assert.ok(r.text.slice(before.length).startsWith(`virtual "added one" {${variant.eol}`));
        const want = clone(config);
        want.virtuals.push(service);
        assert.deepEqual(r.parsed.config, want);
      });

      it('adds a server before the closing brace of its virtual block', () => {
        const server: RealServer = { name: 'new1', address: host('192.0.2.77'), active: true, weight: 5, port: 8443 };
        const block = locate(before, [first.name]);
        const close = block.close as LineInfo;
        const hi = indentOf(block.header as LineInfo);
        const rendered = [`${hi}     server new1 {`, `${hi}         address = 192.0.2.77`, `${hi}         active = 1`, `${hi}         port = 8443`, `${hi}         weight = 5`, `${hi}     }`]
          .map((l) => l + variant.eol)
          .join('');
        const r = edit(before, { op: 'add-server', block: vPath(first), server });
        assert.equal(r.text, before.slice(0, close.start) + rendered + before.slice(close.start));
        const want = clone(config);
        (want.virtuals[0] as VirtualService).servers.push(server);
        assert.deepEqual(r.parsed.config, want);
      });

      it('removes a server block: exactly its lines disappear', () => {
        const block = locate(before, [first.name, firstServer.name]);
        const r = edit(before, { op: 'remove-block', block: sPath(first, firstServer) });
        assert.equal(r.text, before.slice(0, (block.header as LineInfo).start) + before.slice((block.close as LineInfo).next));
        const want = clone(config);
        (want.virtuals[0] as VirtualService).servers.shift();
        assert.deepEqual(r.parsed.config, want);
      });

      it('removes a virtual block: exactly its lines disappear', () => {
        const block = locate(before, [first.name]);
        const header = block.header as LineInfo;
        const close = block.close as LineInfo;
        const r = edit(before, { op: 'remove-block', block: vPath(first) });
        const lines = rawLines(before);
        const from = lines.findIndex((_l, i) => linesOf(before)[i]?.start === header.start);
        const to = lines.findIndex((_l, i) => linesOf(before)[i]?.start === close.start);
        assert.deepEqual(rawLines(r.text), [...lines.slice(0, from), ...lines.slice(to + 1)]);
        const want = clone(config);
        want.virtuals.shift();
        assert.deepEqual(r.parsed.config, want);
      });

      it('renames a virtual block and a server block in their headers only', () => {
        const header = locate(before, [first.name]).header as LineInfo;
        const r = edit(before, { op: 'rename-block', block: vPath(first), name: 'renamed web' });
        const at = before.indexOf(first.name, header.start);
        assert.equal(r.text, before.slice(0, at) + '"renamed web"' + before.slice(at + first.name.length));
        assert.equal(r.parsed.config.virtuals[0]?.name, 'renamed web');

        const sHeader = locate(before, [first.name, firstServer.name]).header as LineInfo;
        const r2 = edit(before, { op: 'rename-block', block: sPath(first, firstServer), name: 'srv9' });
        const sAt = before.indexOf(firstServer.name, sHeader.start + sHeader.content.indexOf('server') + 6);
        assert.equal(r2.text, before.slice(0, sAt) + 'srv9' + before.slice(sAt + firstServer.name.length));
        const want = clone(config);
        ((want.virtuals[0] as VirtualService).servers[0] as RealServer).name = 'srv9';
        assert.deepEqual(r2.parsed.config, want);
      });

      it('applies several edits in order, each on the result of the one before', () => {
        const r = edit(before, [
          { op: 'set', block: vPath(first), key: 'scheduler', value: 'sh' },
          { op: 'rename-block', block: vPath(first), name: 'svc' },
          { op: 'set', block: [{ kind: 'virtual', name: 'svc' }], key: 'persistent', value: 77 },
          { op: 'remove-block', block: [{ kind: 'virtual', name: 'svc' }, { kind: 'server', index: 0 }] },
        ]);
        const want = clone(config);
        const v = want.virtuals[0] as VirtualService;
        v.scheduler = 'sh';
        v.name = 'svc';
        v.persistent = 77;
        v.servers.shift();
        assert.deepEqual(r.parsed.config, want);
      });

      it('refuses an edit that makes the file invalid, with LVSCF_EDIT_BREAKS_FILE', () => {
        const refused: ConfigEdit[] = [
          { op: 'set', block: [], key: 'primary', value: host('0.0.0.0') },
          { op: 'set', block: vPath(first), key: 'sorry_server', value: 'not-an-ip' },
          { op: 'set', block: vPath(first), key: 'vip_nmask', value: '255.255.255.x' },
          { op: 'add-server', block: vPath(first), server: { name: 'bad', address: { text: 'bad host', ip: null, family: null }, active: true, weight: 1, port: 80 } },
          { op: 'add-virtual', service: { ...defaultVirtual('bad'), address: { host: { text: 'no such!host', ip: null, family: null }, device: 'eth0:3' } } },
        ];
        for (const e of refused) {
          const err = throwsEditError(() => edit(before, e), 'LVSCF_EDIT_BREAKS_FILE');
          assert.ok(err.diagnostics.length > 0 && err.diagnostics.every((d) => d.severity === 'error'));
          assert.match(err.message, new RegExp(`^edit ${e.op} would make the file invalid: `));
        }
        // A batch is refused as a whole when any of its edits breaks the file.
        throwsEditError(() => edit(before, [{ op: 'set', block: [], key: 'serial_no', value: 5 }, refused[0] as ConfigEdit]), 'LVSCF_EDIT_BREAKS_FILE');
      });

      it('refuses an unknown block with LVSCF_NO_SUCH_BLOCK', () => {
        const missing: ConfigEdit[] = [
          { op: 'set', block: [{ kind: 'virtual', name: 'nope' }], key: 'active', value: true },
          { op: 'set', block: [...vPath(first), { kind: 'server', name: 'nope' }], key: 'active', value: true },
          { op: 'unset', block: [{ kind: 'virtual', index: 99 }], key: 'active' },
          { op: 'set', block: [{ kind: 'failover', index: 0 }], key: 'active', value: true },
          { op: 'add-server', block: [], server: { name: 's', address: null, active: false, weight: 1, port: 80 } },
          { op: 'remove-block', block: [] },
          { op: 'remove-block', block: [{ kind: 'server', index: 0 }] },
          { op: 'rename-block', block: [], name: 'x' },
        ];
        for (const e of missing) throwsEditError(() => edit(before, e), 'LVSCF_NO_SUCH_BLOCK');
      });

      it('refuses an unknown keyword with LVSCF_NO_SUCH_KEYWORD', () => {
        const unknown: ConfigEdit[] = [
          { op: 'set', block: [], key: 'bogus', value: 1 },
          { op: 'set', block: [], key: 'weight', value: 1 },
          { op: 'set', block: vPath(first), key: 'primary', value: host('192.0.2.1') },
          { op: 'set', block: sPath(first, firstServer), key: 'scheduler', value: 'rr' },
        ];
        for (const e of unknown) throwsEditError(() => edit(before, e), 'LVSCF_NO_SUCH_KEYWORD');
      });

      it('refuses a value of the wrong type with LVSCF_BAD_VALUE', () => {
        throwsEditError(() => edit(before, { op: 'set', block: vPath(first), key: 'scheduler', value: 'fifo' }), 'LVSCF_BAD_VALUE');
        throwsEditError(() => edit(before, { op: 'set', block: [], key: 'keepalive', value: '2' }), 'LVSCF_BAD_VALUE');
        throwsEditError(() => edit(before, { op: 'rename-block', block: vPath(first), name: 'a\nb' }), 'LVSCF_BAD_VALUE');
      });
    });
  }
}

describe('editConfig edge cases', () => {
  it('ends an unterminated last line before inserting after it', () => {
    const r = edit('serial_no = 1', { op: 'set', block: [], key: 'primary', value: host('192.0.2.1') });
    assert.equal(r.text, 'serial_no = 1\nprimary = 192.0.2.1\n');
    const r2 = edit('serial_no = 1\r\nnetwork = nat', { op: 'set', block: [], key: 'keepalive', value: 3 });
    assert.equal(r2.text, 'serial_no = 1\r\nnetwork = nat\r\nkeepalive = 3\r\n');
  });

  it('separates an added virtual from an unterminated last line', () => {
    const service = defaultVirtual('v');
    const r = edit('serial_no = 1', { op: 'add-virtual', service });
    assert.equal(r.text, `serial_no = 1\n${writeVirtual(service)}`);
  });

  it('adds a failover block when asked', () => {
    const service = defaultVirtual('fo');
    const r = edit('serial_no = 1\n', { op: 'add-virtual', service, kind: 'failover' });
    assert.equal(r.text, `serial_no = 1\n${writeVirtual(service, 'failover')}`);
    assert.deepEqual(r.parsed.config.failovers, [service]);
  });

  it('keeps CR-only line endings', () => {
    const text = readSample('sample-single-director.cf').replace(/\n/g, '\r');
    const server: RealServer = { name: 'mx3', address: host('203.0.113.33'), active: true, weight: 1, port: 25 };
    const r = edit(text, { op: 'add-server', block: [{ kind: 'virtual', name: 'smtp' }], server });
    assert.equal(r.text, text.replace(/\}\r$/, `${writeServer(server).replace(/\n/g, '\r')}}\r`));
    assert.ok(!r.text.includes('\n'));
  });

  it('inserts the first keyword of a block that has none after its header, indented by 5 more', () => {
    const text = 'serial_no = 1\n  virtual v {\n  }\n';
    const r = edit(text, { op: 'set', block: [{ kind: 'virtual', name: 'v' }], key: 'port', value: 81 });
    assert.equal(r.text, 'serial_no = 1\n  virtual v {\n       port = 81\n  }\n');
  });

  it('inserts the first top-level keyword before the first block', () => {
    const text = '# c\nvirtual v {\n}\n';
    const r = edit(text, { op: 'set', block: [], key: 'network', value: 'direct' });
    assert.equal(r.text, '# c\nnetwork = direct\nvirtual v {\n}\n');
  });

  it('adds a server to a virtual block left open at the end of the file', () => {
    const text = 'virtual v {\n     port = 80\n';
    const server: RealServer = { name: 's', address: host('10.0.0.1'), active: true, weight: 1, port: 80 };
    const r = edit(text, { op: 'add-server', block: [{ kind: 'virtual', name: 'v' }], server });
    assert.equal(r.text, text + writeServer(server));
    assert.deepEqual(r.parsed.config.virtuals[0]?.servers, [server]);
  });

  it('accepts edits to a file that already has errors, as long as they add none', () => {
    const text = readSample('sample-single-director.cf').replace('network = direct\n', 'network = direct\nnat_nmask = x\n');
    assert.equal(parse(text).diagnostics.filter((d) => d.severity === 'error').length, 1);
    const r = edit(text, { op: 'set', block: [{ kind: 'virtual', name: 'smtp' }], key: 'timeout', value: 9 });
    assert.equal(r.text, text.replace('timeout = 10', 'timeout = 9'));
  });

  it('regression: refuses a new error of the same kind as one the file already has', () => {
    // The file already has a 'Bad subnet mask specified' error; a second one used to pass unnoticed.
    const text = readSample('sample-single-director.cf').replace('network = direct\n', 'network = direct\nnat_nmask = x\n');
    const err = throwsEditError(
      () => edit(text, { op: 'set', block: [{ kind: 'virtual', name: 'smtp' }], key: 'vip_nmask', value: 'y' }),
      'LVSCF_EDIT_BREAKS_FILE',
    );
    assert.equal(err.diagnostics[0]?.message, 'Bad subnet mask specified');
  });

  it('picks blocks by position as well as by name', () => {
    const text = readSample('sample-direct-routing.cf');
    const r = edit(text, { op: 'set', block: [{ kind: 'virtual', index: 1 }, { kind: 'server', index: 1 }], key: 'weight', value: 4 });
    assert.equal(r.parsed.config.virtuals[1]?.servers[1]?.weight, 4);
    assert.equal(r.parsed.config.virtuals[0]?.servers[1]?.weight, 2);
  });
});
