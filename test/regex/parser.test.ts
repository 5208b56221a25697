// Parsing and validation of the regex subset: spec 6.2, 6.3, D23-D28, D35(c,d,e).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseAwsRegex, type AwsRegex } from '../../src/regex/index.js';

/** Parses `%body%` as a whole pattern: body[0] is at offset 1. */
function parse(body: string) {
  return parseAwsRegex(body, 1);
}

function valid(body: string): AwsRegex {
  const r = parse(body);
  assert.deepEqual(r.diagnostics, [], `expected %${body}% to be valid`);
  assert.ok(r.regex);
  return r.regex;
}

/** [code, start, end] of each diagnostic, spans into `%body%`. */
function errors(body: string): Array<[string, number, number]> {
  const r = parse(body);
  assert.equal(r.regex, null, `expected %${body}% to be invalid`);
  for (const d of r.diagnostics) {
    assert.equal(d.severity, 'error');
    assert.match(d.code, /^HS15\d\d$/);
    assert.ok(d.message.length > 0);
  }
  return r.diagnostics.map((d) => [d.code, d.span.start, d.span.end]);
}

describe('regex parser: valid forms (spec 6.3)', () => {
  it('builds branches of items with quantifiers and spans', () => {
    const r = valid('^a{2,3}?|[^x-z\\d]*$');
    assert.equal(r.branches.length, 2);
    assert.deepEqual(r.span, { start: 1, end: 20 });
    const [b0, b1] = r.branches;
    assert.deepEqual(b0.span, { start: 1, end: 9 });
    assert.deepEqual(b0.items[0], { kind: 'anchor', at: 'start', span: { start: 1, end: 2 } });
    assert.deepEqual(b0.items[1], {
      kind: 'char', code: 0x61, span: { start: 2, end: 3 },
      quantifier: { min: 2, max: 3, lazy: true, span: { start: 3, end: 9 } },
    });
    assert.deepEqual(b1.items[0], {
      kind: 'class', negated: true, span: { start: 10, end: 18 },
      members: [
        { kind: 'range', from: 0x78, to: 0x7a, span: { start: 12, end: 15 } },
        { kind: 'escape-class', set: 'digit', negated: false, span: { start: 15, end: 17 } },
      ],
      quantifier: { min: 0, max: null, lazy: false, span: { start: 18, end: 19 } },
    });
    assert.deepEqual(b1.items[1], { kind: 'anchor', at: 'end', span: { start: 19, end: 20 } });
  });

  it('reads every bound form; spaces around digits and comma (D26)', () => {
    const q = (body: string) => {
      const item = valid(body).branches[0].items[0];
      assert.notEqual(item.kind, 'anchor');
      const { min, max } = (item as { quantifier: { min: number; max: number | null } }).quantifier;
      return [min, max];
    };
    assert.deepEqual(q('a?'), [0, 1]);
    assert.deepEqual(q('a*'), [0, null]);
    assert.deepEqual(q('a+'), [1, null]);
    assert.deepEqual(q('a{3}'), [3, 3]);
    assert.deepEqual(q('a{3,}'), [3, null]);
    assert.deepEqual(q('a{,3}'), [0, 3]);
    assert.deepEqual(q('a{2,5}'), [2, 5]);
    assert.deepEqual(q('a{ 2 , 5 }'), [2, 5]);
    assert.deepEqual(q('a{ 2 }'), [2, 2]);
    assert.deepEqual(q('a{0}'), [0, 0]);
    assert.deepEqual(q('a{1000}'), [1000, 1000]);
    assert.deepEqual(q('a{1000,}'), [1000, null]);
    assert.deepEqual(q('a{0,1000}'), [0, 1000]);
  });

  it('accepts every character 6.2 allows, and the space (D24)', () => {
    valid('azAZ09:_#=@/;,- ');
    valid('\\^\\$\\?\\[\\]\\{\\}\\|\\\\\\*\\+\\.\\ \\:\\_\\#\\=\\@\\/\\;\\,\\-');
  });

  it('reads escapes: classes, \\xhh in either case, escaped symbols (spec 6.3)', () => {
    const items = valid('\\d\\D\\s\\S\\w\\W\\x3A\\x3a\\x7F\\.').branches[0].items;
    assert.deepEqual(items.map((i) => (i.kind === 'escape-class' ? `${i.set}${i.negated ? '!' : ''}` : i.kind === 'char' ? i.code : i.kind)),
      ['digit', 'digit!', 'space', 'space!', 'word', 'word!', 0x3a, 0x3a, 0x7f, 0x2e]);
  });

  it('reads class details (D28)', () => {
    const members = (body: string) => {
      const item = valid(body).branches[0].items[0];
      assert.equal(item.kind, 'class');
      return item.members.map((m) => (m.kind === 'char' ? String.fromCharCode(m.code) : m.kind === 'range' ? `${m.from}-${m.to}` : m.set));
    };
    assert.deepEqual(members('[]a]'), [']', 'a']); // ] right after [ is literal
    assert.deepEqual(members('[^]a]'), [']', 'a']);
    assert.deepEqual(members('[-a]'), ['-', 'a']); // - at the start or end is literal
    assert.deepEqual(members('[a-]'), ['a', '-']);
    assert.deepEqual(members('[a-c-e]'), ['97-99', '-', 'e']); // - after a range is literal
    assert.deepEqual(members('[[.*+?{}|$^]'), ['[', '.', '*', '+', '?', '{', '}', '|', '$', '^']);
    assert.deepEqual(members('[\\]\\\\\\-\\^]'), [']', '\\', '-', '^']);
    assert.deepEqual(members('[\\x41-\\x43\\s]'), ['65-67', 'space']);
    assert.deepEqual(members('[ ]'), [' ']);
    assert.deepEqual(members('[a-a]'), ['97-97']);
  });

  it('reads } and ] that close nothing as literals (D35c)', () => {
    const codes = valid('a}]b').branches[0].items.map((i) => (i.kind === 'char' ? String.fromCharCode(i.code) : '?'));
    assert.deepEqual(codes, ['a', '}', ']', 'b']);
  });

  it('allows empty alternatives (D35c)', () => {
    assert.deepEqual(valid('a|').branches.map((b) => b.items.length), [1, 0]);
    assert.deepEqual(valid('|a').branches.map((b) => b.items.length), [0, 1]);
    assert.deepEqual(valid('|').branches.map((b) => b.items.length), [0, 0]);
  });

  it('accepts a lazy ? after any quantifier (D26)', () => {
    for (const body of ['a*?', 'a+?', 'a??', 'a{2}?', 'a{2,}?', 'a{,2}?']) valid(body);
  });
});

describe('regex parser: rejected forms', () => {
  it('rejects characters outside 6.2, one diagnostic each, with exact spans', () => {
    assert.deepEqual(errors('(a|b)c'), [['HS1501', 1, 2], ['HS1501', 5, 6]]);
    assert.deepEqual(errors('ab)'), [['HS1501', 3, 4]]);
    assert.deepEqual(errors('something!'), [['HS1501', 10, 11]]); // AWS example
    assert.deepEqual(errors('"x"'), [['HS1501', 1, 2], ['HS1501', 3, 4]]);
    for (const c of ["'", '&', '<', '>', '~', '`', '\t', '\n', '\r', '%', '"', '!', '\u00a0', '\u007f', '\u0000']) {
      assert.deepEqual(errors(`a${c}b`), [['HS1501', 2, 3]], JSON.stringify(c));
    }
    assert.deepEqual(errors('café'), [['HS1501', 4, 5]]);
    assert.deepEqual(errors('x😀y'), [['HS1501', 2, 4]]); // a whole code point, two UTF-16 units
    assert.deepEqual(errors('[(]'), [['HS1501', 2, 3]]);
  });

  it('rejects parentheses even escaped, with a hint to use \\x28/\\x29', () => {
    assert.deepEqual(errors('\\(x\\)'), [['HS1501', 2, 3], ['HS1501', 5, 6]]);
    const d = parse('(').diagnostics[0];
    assert.match(d.hint ?? '', /\\x28/);
    assert.match(d.hint ?? '', /\\x29/);
  });

  it('rejects the empty regex, pointing at both % signs (D23)', () => {
    assert.deepEqual(errors(''), [['HS1502', 0, 2]]);
  });

  it('rejects quantifiers with nothing to repeat (D26)', () => {
    assert.deepEqual(errors('*a'), [['HS1503', 1, 2]]);
    assert.deepEqual(errors('a|+b'), [['HS1503', 3, 4]]);
    assert.deepEqual(errors('^*'), [['HS1503', 2, 3]]);
    assert.deepEqual(errors('a$?'), [['HS1503', 3, 4]]);
    assert.deepEqual(errors('{2}a'), [['HS1503', 1, 4]]);
    assert.deepEqual(errors('?'), [['HS1503', 1, 2]]);
    assert.deepEqual(errors('**a'), [['HS1503', 1, 3]]);
  });

  it('rejects stacked quantifiers but not the lazy ? (D26)', () => {
    assert.deepEqual(errors('a**'), [['HS1504', 3, 4]]);
    assert.deepEqual(errors('a+*'), [['HS1504', 3, 4]]);
    assert.deepEqual(errors('a?+'), [['HS1504', 3, 4]]);
    assert.deepEqual(errors('a*??'), [['HS1504', 4, 5]]);
    assert.deepEqual(errors('a{2}{3}'), [['HS1504', 5, 8]]);
    assert.deepEqual(errors('a{2}*'), [['HS1504', 5, 6]]);
  });

  it('rejects malformed bounds (D26)', () => {
    assert.deepEqual(errors('a{}'), [['HS1505', 2, 4]]);
    assert.deepEqual(errors('a{,}'), [['HS1505', 2, 5]]);
    assert.deepEqual(errors('a{ }'), [['HS1505', 2, 5]]);
    assert.deepEqual(errors('a{x}'), [['HS1505', 2, 5]]);
    for (const b of ['{1 2}', '{1,2,3}', '{-1}', '{+1}', '{1.5}', '{a,2}', '{1,b}']) {
      assert.deepEqual(errors(`a${b}`), [['HS1505', 2, 2 + b.length]], b);
    }
    assert.deepEqual(errors('a{2'), [['HS1506', 2, 3]]);
    assert.deepEqual(errors('{'), [['HS1506', 1, 2]]);
    assert.deepEqual(errors('a{5,3}'), [['HS1507', 2, 7]]);
  });

  it('rejects repeat counts RE2 cannot run (above 1000), plainly', () => {
    assert.deepEqual(errors('a{1001}'), [['HS1508', 2, 8]]);
    assert.deepEqual(errors('a{0,1001}'), [['HS1508', 2, 10]]);
    assert.deepEqual(errors('a{1001,}'), [['HS1508', 2, 9]]);
    assert.deepEqual(errors('a{99999999999999999999}'), [['HS1508', 2, 24]]);
    assert.match(parse('a{1001}').diagnostics[0].message, /1000/);
  });

  it('rejects unknown escapes (D27)', () => {
    assert.deepEqual(errors('\\bword'), [['HS1509', 1, 3]]);
    assert.deepEqual(errors('a\\nb'), [['HS1509', 2, 4]]);
    for (const e of ['t', 'r', 'f', 'v', '1', '0', 'A', 'z', 'Z', 'B', 'p', 'Q', 'E', 'k', 'X']) {
      assert.deepEqual(errors(`\\${e}`), [['HS1509', 1, 3]], e);
      assert.deepEqual(errors(`[\\${e}]`), [['HS1509', 2, 4]], e);
    }
  });

  it('rejects \\x without two hex digits (D27) or above 7F (D35d)', () => {
    assert.deepEqual(errors('\\x4'), [['HS1510', 1, 4]]);
    assert.deepEqual(errors('\\x'), [['HS1510', 1, 3]]);
    assert.deepEqual(errors('\\xg1'), [['HS1510', 1, 3]]);
    assert.deepEqual(errors('\\x4g'), [['HS1510', 1, 4]]);
    assert.deepEqual(errors('caf\\xE9'), [['HS1511', 4, 8]]);
    assert.deepEqual(errors('\\x80'), [['HS1511', 1, 5]]);
    assert.deepEqual(errors('[\\xff]'), [['HS1511', 2, 6]]);
  });

  it('rejects a trailing lone backslash (D35e)', () => {
    assert.deepEqual(errors('ab\\'), [['HS1512', 3, 4]]);
    assert.deepEqual(errors('\\'), [['HS1512', 1, 2]]);
    assert.deepEqual(errors('[a\\'), [['HS1512', 3, 4], ['HS1513', 1, 4]]);
  });

  it('rejects unclosed classes (spec 6.3)', () => {
    assert.deepEqual(errors('[abc'), [['HS1513', 1, 5]]);
    assert.deepEqual(errors('['), [['HS1513', 1, 2]]);
    assert.deepEqual(errors('[]'), [['HS1513', 1, 3]]); // the ] right after [ is literal
    assert.deepEqual(errors('x[^]'), [['HS1513', 2, 5]]);
    assert.deepEqual(errors('[a-'), [['HS1513', 1, 4]]);
  });

  it('rejects reversed ranges (D28) and ranges ending in a class escape', () => {
    assert.deepEqual(errors('[z-a]'), [['HS1514', 2, 5]]);
    assert.deepEqual(errors('[\\x7A-\\x61]'), [['HS1514', 2, 11]]);
    assert.match(parse('[z-a]').diagnostics[0].hint ?? '', /a-z/);
    assert.deepEqual(errors('[a-\\d]'), [['HS1515', 2, 6]]);
    assert.deepEqual(errors('[\\w-z]'), [['HS1515', 2, 6]]);
  });

  it('reports several errors in one pass', () => {
    assert.deepEqual(errors('(a**|\\q|[z-a]|b{3,1}'), [
      ['HS1501', 1, 2], ['HS1504', 4, 5], ['HS1509', 6, 8], ['HS1514', 10, 13], ['HS1507', 16, 21],
    ]);
  });

  it('points spans into the whole pattern via bodyOffset', () => {
    const pattern = '{ $.msg = %ab(c% }';
    const start = pattern.indexOf('%') + 1;
    const body = pattern.slice(start, pattern.indexOf('%', start));
    const r = parseAwsRegex(body, start);
    assert.equal(r.diagnostics.length, 1);
    const { span } = r.diagnostics[0];
    assert.equal(pattern.slice(span.start, span.end), '(');
  });
});
