/**
 * YAML scalars mapped back to the file. The `yaml` package gives each scalar's value and its
 * source token; this module redoes the YAML 1.2 scalar rules (spec 7.3 flow scalars: escapes,
 * `''`, line folding; spec 8.1 block scalars: indentation, `|`/`>`, chomping) to know which
 * source character each value character came from. The result is checked against the
 * parser's value: when they differ (a construct this module does not follow), every character
 * is placed at the scalar's start rather than somewhere wrong.
 */
import type { Scalar } from 'yaml';
import { type Escapes, type MappedText, MappedTextBuilder, pushEscape } from './mapped-text.js';

/** YAML 1.2 spec 5.7, escaped characters in double-quoted scalars. */
const YAML_ESCAPES: Escapes = {
  simple: {
    '0': '\0', a: '\x07', b: '\b', t: '\t', '\t': '\t', n: '\n', v: '\v', f: '\f', r: '\r', e: '\x1b',
    ' ': ' ', '"': '"', '/': '/', '\\': '\\', N: '\x85', _: '\xa0', L: '\u2028', P: '\u2029',
  },
  hex: { x: 2, u: 4, U: 8 },
};

export function decodeYamlScalar(node: Scalar, source: string): MappedText {
  const value = typeof node.value === 'string' ? node.value : String(node.value);
  const token = node.srcToken;
  let decoded: MappedText | null = null;
  if (token && 'source' in token && typeof token.source === 'string' && 'offset' in token) {
    if (token.type === 'scalar') decoded = flow(source, token.offset, token.offset + token.source.length, 'plain');
    else if (token.type === 'single-quoted-scalar') decoded = flow(source, token.offset + 1, token.offset + token.source.length - 1, 'single');
    else if (token.type === 'double-quoted-scalar') decoded = flow(source, token.offset + 1, token.offset + token.source.length - 1, 'double');
    else if (token.type === 'block-scalar' && 'props' in token) {
      // The token's offset is its header's; the content starts after the header's line break.
      const header = token.props.find((p) => p.type === 'block-scalar-header');
      const newline = token.props.find((p) => p.type === 'newline');
      if (header && 'source' in header && newline) {
        const from = newline.offset + ('source' in newline ? newline.source.length : 1);
        decoded = block(source, header.source, from, from + token.source.length);
      }
    }
  }
  if (decoded && decoded.text === value) return decoded;
  const at = node.range?.[0] ?? 0;
  return { text: value, offsets: Array.from({ length: value.length + 1 }, () => at), holes: [] };
}

type FlowStyle = 'plain' | 'single' | 'double';

function isWs(c: string | undefined): boolean {
  return c === ' ' || c === '\t';
}

/** Flow scalars: each line trimmed, line breaks folded (one break: a space; n: n-1 newlines). */
function flow(s: string, from: number, to: number, style: FlowStyle): MappedText {
  const b = new MappedTextBuilder();
  const lines: [number, number][] = [];
  let start = from;
  for (let i = from; i < to; i++) {
    if (s[i] === '\n') {
      lines.push([start, s[i - 1] === '\r' ? i - 1 : i]);
      start = i + 1;
    }
  }
  lines.push([start, to]);
  let pendingBreaks = 0;
  let breakAt = from;
  let joined = false;
  lines.forEach(([lineStart, lineEnd], k) => {
    let a = lineStart;
    let z = lineEnd;
    if (k > 0) while (a < z && isWs(s[a])) a++;
    if (k < lines.length - 1) while (z > a && isWs(s[z - 1]) && !(style === 'double' && s[z - 2] === '\\')) z--;
    if (k > 0) {
      if (a === z && k < lines.length - 1) {
        pendingBreaks++;
        return;
      }
      if (!joined) {
        if (pendingBreaks === 0) b.push(' ', breakAt, breakAt + 1);
        else for (let n = 0; n < pendingBreaks; n++) b.push('\n', breakAt, breakAt + 1);
      }
    }
    pendingBreaks = 0;
    joined = false;
    // A double-quoted line ending in an escaped line break continues without a space.
    if (style === 'double' && z > a && s[z - 1] === '\\' && k < lines.length - 1 && !escapedBackslash(s, a, z - 1)) {
      z--;
      joined = true;
    }
    segment(b, s, a, z, style);
    breakAt = lineEnd;
  });
  return b.build(to);
}

/** Is the backslash at `at` itself escaped (an odd run of backslashes before it)? */
function escapedBackslash(s: string, from: number, at: number): boolean {
  let n = 0;
  for (let i = at - 1; i >= from && s[i] === '\\'; i--) n++;
  return n % 2 === 1;
}

function segment(b: MappedTextBuilder, s: string, from: number, to: number, style: FlowStyle): void {
  let i = from;
  while (i < to) {
    const c = s[i]!;
    if (style === 'single' && c === "'" && s[i + 1] === "'") {
      b.push("'", i, i + 2);
      i += 2;
      continue;
    }
    const next = style === 'double' && c === '\\' ? pushEscape(b, s, i, to, YAML_ESCAPES) : -1;
    if (next !== -1) {
      i = next;
      continue;
    }
    b.pushVerbatim(c, i);
    i++;
  }
}

/** Block scalars (`|` literal, `>` folded) with clip, strip (`-`) or keep (`+`) chomping. */
function block(s: string, header: string, from: number, to: number): MappedText | null {
  if (/[0-9]/.test(header)) return null; // explicit indentation: left to the fallback
  const folded = header.startsWith('>');
  const chomp = header.includes('-') ? 'strip' : header.includes('+') ? 'keep' : 'clip';
  const lines: [number, number][] = [];
  let start = from;
  for (let i = from; i < to; i++) {
    if (s[i] === '\n') {
      lines.push([start, i]);
      start = i + 1;
    }
  }
  if (start < to) lines.push([start, to]);
  let indent = -1;
  for (const [a, z] of lines) {
    let n = 0;
    while (a + n < z && s[a + n] === ' ') n++;
    if (a + n < z) {
      indent = n;
      break;
    }
  }
  const b = new MappedTextBuilder();
  if (indent === -1) return b.build(to);
  // Content lines, then the trailing empty lines that chomping decides on.
  let last = lines.length - 1;
  while (last >= 0 && isBlank(s, lines[last]!)) last--;
  let prevFoldable = false;
  let pendingBreaks: number[] = [];
  for (let k = 0; k <= last; k++) {
    const [a, z] = lines[k]!;
    if (isBlank(s, lines[k]!)) {
      pendingBreaks.push(z);
      continue;
    }
    const content = a + indent;
    const moreIndented = isWs(s[content]);
    if (k > 0) {
      const prevEnd = pendingBreaks.length > 0 || k === 0 ? null : lines[k - 1]![1];
      if (folded && prevFoldable && !moreIndented && prevEnd !== null) b.push(' ', prevEnd, prevEnd + 1);
      else if (folded && prevFoldable && !moreIndented) for (const at of pendingBreaks) b.push('\n', at, at + 1);
      else {
        const breakAt = firstBreakBefore(lines, k);
        b.push('\n', breakAt, breakAt + 1);
        for (const at of pendingBreaks) b.push('\n', at, at + 1);
      }
    } else for (const at of pendingBreaks) b.push('\n', at, at + 1);
    pendingBreaks = [];
    b.pushVerbatim(s.slice(content, z), content);
    prevFoldable = !moreIndented;
  }
  if (last >= 0 && chomp !== 'strip') {
    const endOfLast = lines[last]![1];
    if (endOfLast < to) b.push('\n', endOfLast, endOfLast + 1);
    if (chomp === 'keep') for (let k = last + 1; k < lines.length; k++) b.push('\n', lines[k]![1], lines[k]![1] + 1);
  }
  return b.build(to);
}

function isBlank(s: string, [a, z]: [number, number]): boolean {
  for (let i = a; i < z; i++) if (s[i] !== ' ' && s[i] !== '\r') return false;
  return true;
}

/** The line break that ends the content line before line k (skipping blank lines). */
function firstBreakBefore(lines: readonly [number, number][], k: number): number {
  let j = k - 1;
  while (j > 0 && lines[j]![0] === lines[j]![1]) j--;
  return lines[j]![1];
}
