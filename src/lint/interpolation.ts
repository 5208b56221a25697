/**
 * Template syntax inside strings that a deploy tool fills in: Terraform's `${...}` and `%{...}`
 * in `.tf.json` strings (Terraform JSON syntax: every string is a template; `$${` is a literal
 * `${`), and CloudFormation `Fn::Sub` (`${Name}` is replaced, `${!Name}` is the literal
 * `${Name}`). The parts are marked as holes, kept as written; the literal escapes are decoded.
 * A filter pattern's `$.field` is not interpolation: only `${` opens one.
 */
import { compose, type MappedText, MappedTextBuilder } from './mapped-text.js';

export type TemplateStyle = 'terraform' | 'sub';

export function markTemplates(m: MappedText, style: TemplateStyle): MappedText {
  const s = m.text;
  if (!s.includes('{')) return m;
  const b = new MappedTextBuilder();
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (style === 'terraform' && (c === '$' || c === '%') && s[i + 1] === c && s[i + 2] === '{') {
      // `$${` is `${`: the `{` is the one written, the doubled sign stands for one.
      b.push(c, i, i + 2);
      b.pushVerbatim('{', i + 2);
      i += 3;
      continue;
    }
    const opens = style === 'terraform' ? (c === '$' || c === '%') && s[i + 1] === '{' : c === '$' && s[i + 1] === '{';
    if (opens) {
      if (style === 'sub' && s[i + 2] === '!') {
        b.push('${', i, i + 3);
        i += 3;
        continue;
      }
      const end = closingBrace(s, i + 2);
      b.pushHole(s.slice(i, end), i);
      i = end;
      continue;
    }
    b.pushVerbatim(c, i);
    i++;
  }
  return compose(b.build(s.length), m);
}

/** Just past the `}` that closes a template opened before `from` (nested braces and strings skipped). */
function closingBrace(s: string, from: number): number {
  let depth = 1;
  let quote = false;
  for (let i = from; i < s.length; i++) {
    const c = s[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === '"') quote = false;
    } else if (c === '"') quote = true;
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return i + 1;
  }
  return s.length;
}
