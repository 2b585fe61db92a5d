import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lex, splitLines } from '../../../src/config/lexer.js';

describe('splitLines', () => {
  it('splits at LF, CRLF and CR, keeping the terminators', () => {
    const lines = splitLines('a\nb\r\nc\rd');
    assert.deepEqual(
      lines.map((l) => l.eol),
      ['\n', '\r\n', '\r', ''],
    );
    assert.deepEqual(
      lines.map((l) => 'a\nb\r\nc\rd'.slice(l.start, l.end)),
      ['a', 'b', 'c', 'd'],
    );
  });
});

describe('lex', () => {
  it('separates tokens by blanks only and skips comments and blank lines', () => {
    const lines = lex('# comment\n\n  \t primary\t=  1.2.3.4  \n   # indented comment\n');
    assert.equal(lines.length, 4);
    assert.equal(lines[0]?.comment, true);
    assert.deepEqual(lines[1]?.tokens, []);
    assert.deepEqual(
      lines[2]?.tokens.map((t) => [t.text, t.col]),
      [
        ['primary', 5],
        ['=', 13],
        ['1.2.3.4', 16],
      ],
    );
    assert.equal(lines[3]?.comment, true);
  });

  it('keeps a mid-line # as an ordinary token (piranha has no inline comments)', () => {
    const tokens = lex('primary = 1.2.3.4 # x')[0]?.tokens.map((t) => t.text);
    assert.deepEqual(tokens, ['primary', '=', '1.2.3.4', '#', 'x']);
  });

  it('reads double- and single-quoted tokens with blanks, without escape processing', () => {
    const t = lex(`send = "GET / HTTP/1.0\\r\\n"`)[0]?.tokens[2];
    assert.equal(t?.text, 'GET / HTTP/1.0\\r\\n');
    assert.equal(t?.quote, '"');
    const s = lex(`expect = 'a "b" c'`)[0]?.tokens[2];
    assert.equal(s?.text, 'a "b" c');
    assert.equal(s?.quote, "'");
  });

  it('reports an unterminated quote as a quotation mismatch at its column', () => {
    const line = lex('send = "abc\n')[0];
    assert.equal(line?.error?.message, 'quotation mismatch');
    assert.equal(line?.error?.col, 8);
  });

  it('refuses text glued to a closing quote', () => {
    assert.equal(lex('send = "a b"c')[0]?.error?.message, 'quotation mismatch');
  });

  it('does not treat a quote inside a bare word as quoting', () => {
    assert.deepEqual(
      lex(`name = ab"cd`)[0]?.tokens.map((t) => t.text),
      ['name', '=', 'ab"cd'],
    );
  });

  it('flags a blank-free quoted word followed by blanks, which piranha misreads', () => {
    const line = lex('expect = "OK"  ')[0];
    assert.equal(line?.error, undefined);
    assert.equal(line?.quirk?.code, 'PIRANHA_QUOTE_SCAN');
    assert.equal(lex('expect = "OK"')[0]?.quirk, undefined);
    assert.equal(lex('expect = "O K"  ')[0]?.quirk, undefined);
  });

  it('records offsets that slice back to the source', () => {
    const text = 'virtual "my web" {\r\n';
    const t = lex(text)[0]?.tokens[1];
    assert.equal(text.slice(t?.start, t?.end), '"my web"');
  });
});
