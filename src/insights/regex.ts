/**
 * The Logs Insights regex dialect (insights spec 8, D13, D42) on re2js, a linear-time engine:
 * a leading `(?i)` (or one right after a leading `^`) turns on case-insensitivity; any other
 * `(?i)` is an error; `(?<@name>...)` groups are renamed for the engine and mapped back;
 * backreferences and lookaround are errors, as in AWS's own engines.
 */
import { RE2JS } from 're2js';

export interface InsightsRegex {
  readonly re: RE2JS;
  /** Named groups: field name (as the user wrote it, `@` included) -> engine group name. */
  readonly groups: ReadonlyMap<string, string>;
}

export class InsightsRegexError extends Error {}

/** ECMAScript's `\s` (Unicode white space and line terminators), as an RE2 class body. */
const ECMA_SPACE = '\\t\\n\\x{0B}\\f\\r \\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}\\x{FEFF}';

/**
 * spec 8 says ECMAScript semantics; RE2 differs in two common places, rewritten here:
 * `.` excludes every ECMAScript line terminator (\n, \r, U+2028, U+2029), and `\s`/`\S`
 * mean Unicode white space. Inside a character class `\s` is expanded; `\S` there keeps
 * RE2's ASCII meaning (a class cannot hold a negated class).
 */
function ecmaScriptClasses(src: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (c === '\\' && i + 1 < src.length) {
      const n = src[i + 1]!;
      i++;
      if (n === 's') out += inClass ? ECMA_SPACE : `[${ECMA_SPACE}]`;
      else if (n === 'S' && !inClass) out += `[^${ECMA_SPACE}]`;
      else out += c + n;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      out += c;
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += c;
      if (src[i + 1] === '^') out += src[++i];
      if (src[i + 1] === ']') out += src[++i]; // a leading ] is literal
      continue;
    }
    out += c === '.' ? '[^\\n\\r\\x{2028}\\x{2029}]' : c;
  }
  return out;
}

export function compileInsightsRegex(source: string): InsightsRegex {
  let text = source;
  let flags = 0;
  if (text.startsWith('(?i)')) {
    text = text.slice(4);
    flags |= RE2JS.CASE_INSENSITIVE;
  } else if (text.startsWith('^(?i)')) {
    text = '^' + text.slice(5);
    flags |= RE2JS.CASE_INSENSITIVE;
  }
  if (/\(\?[a-zA-Z]*i/.test(text.replace(/\\./g, '')))
    throw new InsightsRegexError('(?i) is only allowed at the very start of the pattern');
  if (/\(\?<?[=!]/.test(text.replace(/\\./g, '')))
    throw new InsightsRegexError('lookahead and lookbehind are not supported (AWS regex engines have none)');
  if (/\\[1-9]/.test(text.replace(/\\\\/g, '')))
    throw new InsightsRegexError('backreferences are not supported (AWS regex engines have none)');
  const groups = new Map<string, string>();
  let n = 0;
  text = text.replace(/\(\?<(@?)([A-Za-z_][A-Za-z0-9_]*)>/g, (_m, at: string, name: string) => {
    const engineName = at ? `hs_at_${n++}_${name}` : name;
    groups.set(at + name, engineName);
    return `(?P<${engineName}>`;
  });
  if (/\(\?</.test(text)) throw new InsightsRegexError('a group name is an optional @ then a letter or _, then letters, digits or _');
  text = ecmaScriptClasses(text);
  try {
    return { re: RE2JS.compile(text, flags), groups };
  } catch (e) {
    throw new InsightsRegexError((e as Error).message.replace(/^error parsing regexp: /, ''));
  }
}
