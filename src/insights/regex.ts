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
  try {
    return { re: RE2JS.compile(text, flags), groups };
  } catch (e) {
    throw new InsightsRegexError((e as Error).message.replace(/^error parsing regexp: /, ''));
  }
}
