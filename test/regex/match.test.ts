// Matching semantics (spec 6.3, D25, D26, D35c): the AWS examples, the compiled matcher and the
// reference matcher checked against the same expectations, and the prefilter literals.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compileAwsRegex, parseAwsRegex, referenceRegexMatch, requiredLiterals, type AwsRegex } from '../../src/regex/index.js';

function regexOf(body: string): AwsRegex {
  const r = parseAwsRegex(body, 1);
  assert.deepEqual(r.diagnostics, [], `%${body}% should be valid`);
  return r.regex!;
}

/** Asserts, for both matchers, which texts match `%body%` and which do not. */
function check(body: string, matching: string[], notMatching: string[]): void {
  const regex = regexOf(body);
  const compiled = compileAwsRegex(regex);
  for (const [texts, want] of [[matching, true], [notMatching, false]] as const) {
    for (const text of texts) {
      assert.equal(compiled(text), want, `compiled %${body}% on ${JSON.stringify(text)}`);
      assert.equal(referenceRegexMatch(regex, text), want, `reference %${body}% on ${JSON.stringify(text)}`);
      const lits = requiredLiterals(regex);
      if (want && lits) assert.ok(lits.some((l) => text.includes(l)), `literals ${JSON.stringify(lits)} in ${JSON.stringify(text)}`);
    }
  }
}

describe('AWS examples (spec 6.3)', () => {
  it('%AUTHORIZED% is a search', () => check('AUTHORIZED', ['[ERROR 401] UNAUTHORIZED REQUEST', '[SUCCESS 200] AUTHORIZED REQUEST'], ['[ERROR 400] BAD REQUEST', 'authorized']));
  it('%^[hc]at% only at the start', () => check('^[hc]at', ['hat', 'cat', 'hat trick'], ['the cat sat', 'that', 'Hat', 'x\ncat']));
  it('%[hc]at$% only at the end', () => check('[hc]at$', ['cat', 'look at the cat', 'that'], ['cat food', 'cat\n']));
  it('%colou?r%', () => check('colou?r', ['color', 'colour', 'watercolors'], ['colr', 'colouur']));
  it('%a{3,5}% needs three to five consecutive a', () => check('a{3,5}', ['aaa', 'baaac', 'aaaaaaa'], ['aa', 'baac', 'a a a', 'AAA']));
  it('%gra|ey%', () => check('gra|ey', ['gray', 'grey', 'grab', 'key'], ['green', 'gre y']));
  it('%^starting|^initializing|^shutting down%', () => check('^starting|^initializing|^shutting down',
    ['starting up', 'initializing cache', 'shutting down now'], ['skipping initializing cache', 'shutting  down', ' starting']));
  it('%abcc|ab[^c]$%', () => check('abcc|ab[^c]$', ['aba', 'xabcc', 'ab\n'], ['aac', 'abc', 'abax']));
  it('%\\[.\\]% any single character between brackets', () => check('\\[.\\]', ['[a]', '[7]', '[ ]', 'value [7] seen', '[\n]'], ['[]', '[ab]']));
  it('%ab*c%', () => check('ab*c', ['ac', 'abc', 'abbbc'], ['ab', 'a c']));
  it('%ab+c%', () => check('ab+c', ['abc', 'abbc'], ['ac']));
  it('%ab[0-9]*%', () => check('ab[0-9]*', ['ab', 'ab129'], ['a b']));
  it('%.at%', () => check('.at', [' at', 'cat', 'xat'], ['at', 'a t']));
  it('%10.10.0.1% and its escaped form', () => {
    check('10.10.0.1', ['10010,051', '10.10.0.1'], ['10.10.0']);
    check('10\\.10\\.0\\.1', ['src=10.10.0.1 dst=x'], ['10010,051']);
  });
  it('%\\x3A% and %\\x28%', () => {
    check('\\x3A', ['key:value'], ['key=value']);
    check('\\x28', ['f(x)'], ['f[x]']);
  });
  it('%[Ee]rror|[Ff]ail%', () => check('[Ee]rror|[Ff]ail', ['Error', 'error', 'Failure detected', 'fail'], ['ERROR FAILURE', 'FAIL']));
  it('%[abcx-z]%', () => check('[abcx-z]', ['a', 'y', 'z'], ['w', 'd', 'X']));
  it('the IP address regex', () => check('\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}',
    ['{"src":"172.16.1.9","outcome":"allowed"}'], ['1.2.3', '1.2.3.x']));
});

describe('semantics where engines differ', () => {
  it('^ and $ anchor at the string ends only, never at line breaks (spec 6.3)', () => {
    check('^b', ['b', 'bx'], ['a\nb', '\nb']);
    check('a$', ['a', 'ba'], ['a\nb', 'a\n', 'a\r\n']);
    check('^$', [''], ['\n', ' ']);
  });
  it('^ or $ inside a branch fails there rather than matching a literal', () => {
    check('a^b', [], ['ab', 'a^b', '^b', '']);
    check('a$b', [], ['ab', 'a$b']);
    check('^^a$$', ['a'], ['ba', 'ab']);
  });
  it('. matches any character, line breaks and astral characters included (D25)', () => {
    check('a.b', ['a\nb', 'a\rb', 'a b', 'a😀b', 'aéb'], ['ab', 'a\n\nb']);
    check('^.$', ['x', '\n', '😀', '\u2028'], ['', 'xy']);
  });
  it('\\s is space, tab, \\n, \\r, \\f, \\v exactly', () => {
    check('a\\sb', ['a b', 'a\tb', 'a\nb', 'a\rb', 'a\fb', 'a\vb'], ['ab', 'a\u00a0b', 'a\u2028b', 'a\u3000b', 'a_b']);
    check('^\\S+$', ['token', 'é😀', '\u00a0'], ['to ken', 'a\vb', '']);
    check('[^\\S]', ['\v'], ['x']);
  });
  it('\\w is [A-Za-z0-9_] and \\d is [0-9], ASCII only', () => {
    check('\\w', ['a', 'Z', '0', '_'], ['é', '-', ' ', '٣', '']);
    check('\\W', ['é', '-', '😀'], ['abc_123']);
    check('\\d', ['7'], ['٣', '７', 'x']);
    check('\\D', ['x', '٣'], ['123', '']);
  });
  it('is case sensitive (spec 1.1)', () => check('error', ['an error'], ['ERROR', 'Error']));
  it('reads } and ] that close nothing as literals (D35c)', () => {
    check('a}', ['a}'], ['a']);
    check('x]', ['x]'], ['x']);
    check('a{2}}', ['aa}'], ['a}', 'aa']);
  });
  it('empty alternatives match the empty string (D35c)', () => {
    check('zzz|', ['anything', ''], []);
    check('|a', ['', 'b'], []);
  });
  it('bounds, including {,n} and {0}', () => {
    check('^a{,2}$', ['', 'a', 'aa'], ['aaa']);
    check('xa{,2}y', ['xy', 'xay', 'xaay'], ['xaaay']);
    check('^ab{0}c$', ['ac'], ['abc']);
    check('^a{ 2 , 3 }$', ['aa', 'aaa'], ['a', 'aaaa']);
    check('^a{3,}$', ['aaa', 'aaaaaa'], ['aa']);
    check('^a{2}$', ['aa'], ['aaa', 'a']);
    check('^x{1000}$', ['x'.repeat(1000)], ['x'.repeat(999), 'x'.repeat(1001)]);
  });
  it('the lazy ? changes nothing (D26)', () => {
    check('ab*?c', ['abbc', 'ac'], ['ab']);
    check('^a{2,3}?$', ['aa', 'aaa'], ['a', 'aaaa']);
    check('^a??b$', ['ab', 'b'], ['aab']);
  });
  it('classes: negation, literal ] and -, escapes, ranges (D28)', () => {
    check('[]a]', [']', 'a'], ['b']);
    check('[^]a]', ['b'], [']', 'a', '']);
    check('[-a]', ['-', 'a'], ['b']);
    check('[a-]', ['-', 'a'], ['b']);
    check('[a-c-e]', ['a', 'b', '-', 'e'], ['d', 'f']);
    check('[\\d\\s]', ['1', ' ', '\v'], ['a']);
    check('[^\\d\\s]', ['a', '😀'], ['1', ' ', '\v', '']);
    check('[\\W]', ['-', 'é'], ['a']);
    check('[^\\W]', ['a', '_'], ['-', 'é']);
    check('[\\s\\S]', ['x', '\n', '😀'], ['']);
    check('[^\\s\\S]', [], ['x', '\n', '', '😀']);
    check('[\\x41-\\x43]', ['A', 'C'], ['D', 'a']);
    check('[\\]\\\\\\-\\^]', [']', '\\', '-', '^'], ['a']);
    check('[[.*]', ['[', '.', '*'], ['a']);
    check('[^a]', ['😀', '\ud800', '\n'], ['a', '']);
  });
  it('escaped characters and hex escapes are literals', () => {
    check('\\.\\*\\+\\?\\|\\{\\}\\[\\]\\^\\$\\\\\\/\\-\\ ', ['.*+?|{}[]^$\\/- '], ['.*+?|{}[]^$\\/-']);
    check('a\\x0Ab', ['a\nb'], ['a b']);
    check('\\x7f\\x00', ['\u007f\u0000'], ['\u007f']);
    check('\\x25', ['100%'], ['100']);
  });
});

describe('linear time', () => {
  it('a*a*a*a*a*a*a*a*a*a*b on 20,000 a finishes and does not match', () => {
    const match = compileAwsRegex(regexOf('a*a*a*a*a*a*a*a*a*a*b'));
    assert.equal(match('a'.repeat(20_000)), false);
    assert.equal(match('a'.repeat(20_000) + 'b'), true);
  });
  it('a large bound on a long line finishes', () => {
    const match = compileAwsRegex(regexOf('[ab]{1000}c'));
    assert.equal(match('ab'.repeat(10_000)), false);
  });
});

describe('requiredLiterals', () => {
  const lits = (body: string) => requiredLiterals(regexOf(body));
  it('gives the longest run of mandatory literal characters per branch', () => {
    assert.deepEqual(lits('AUTHORIZED'), ['AUTHORIZED']);
    assert.deepEqual(lits('ERROR|WARN'), ['ERROR', 'WARN']);
    assert.deepEqual(lits('^abc$'), ['abc']);
    assert.deepEqual(lits('a{3}b'), ['aaab']);
    assert.deepEqual(lits('a?bc'), ['bc']);
    assert.deepEqual(lits('[a]bc.de'), ['bc']);
    assert.deepEqual(lits('\\x3Ax+'), [':x']);
    assert.deepEqual(lits('ab+c'), ['ab']);
    assert.ok(['xaa', 'aay'].includes(lits('xa{2,3}y')![0]));
  });
  it('drops a literal that contains another one', () => {
    assert.deepEqual(lits('ab|xaby|ab'), ['ab']);
  });
  it('is null when some branch has no mandatory literal', () => {
    assert.equal(lits('\\d+'), null);
    assert.equal(lits('a|'), null);
    assert.equal(lits('abc|.x?'), null);
    assert.equal(lits('[hc]at|b*'), null);
    assert.equal(lits('a{0,3}'), null);
  });
});
