/**
 * HCL (Terraform) through tree-sitter: the `tree-sitter-hcl` grammar's Terraform dialect, as
 * WebAssembly run by `web-tree-sitter`, so nothing native is built at install time. This module
 * parses a file and decodes HCL string templates (quoted strings and heredocs) into MappedText.
 *
 * tree-sitter gives the structure and the places; the decoding of escapes follows the HCL
 * native syntax spec ("Template Literals", "Template Interpolations", heredocs): in quoted
 * templates `\n \r \t \" \\ \uNNNN \UNNNNNNNN`; in both forms `$${` and `%%{` are a literal
 * `${` and `%{`; `<<-` heredocs lose the smallest indentation of their non-blank lines.
 */
import { createRequire } from 'node:module';
import { Language, type Node, Parser, type Tree } from 'web-tree-sitter';
import { type Escapes, type MappedText, MappedTextBuilder, pushEscape } from './mapped-text.js';

export type { Node as HclNode } from 'web-tree-sitter';

let loading: Promise<Parser> | null = null;

/** The Terraform parser, loaded once per process. */
function terraformParser(): Promise<Parser> {
  loading ??= (async () => {
    await Parser.init();
    const wasm = createRequire(import.meta.url).resolve('@tree-sitter-grammars/tree-sitter-hcl/tree-sitter-terraform.wasm');
    const parser = new Parser();
    parser.setLanguage(await Language.load(wasm));
    return parser;
  })();
  return loading;
}

export async function parseHcl(text: string): Promise<Tree> {
  const tree = (await terraformParser()).parse(text);
  if (!tree) throw new Error('tree-sitter returned no tree');
  return tree;
}

/** The first syntax error in a subtree: an ERROR node or a token the parser had to invent. */
export function firstError(node: Node): Node | null {
  if (!node.hasError) return null;
  if (node.isError || node.isMissing) return node;
  for (const c of node.children) {
    if (c === null) continue;
    const e = firstError(c);
    if (e) return e;
  }
  return node;
}

const HOLES = new Set(['template_interpolation', 'template_directive', 'template_for', 'template_if']);

/**
 * The value of a string expression (`"..."` or a heredoc), or null when the expression is not
 * a string template (a reference, a function call, a number...).
 */
export function decodeString(expr: Node, source: string): MappedText | null {
  const node = unwrap(expr);
  if (node === null) return null;
  if (node.type === 'quoted_template' || node.type === 'string_lit') return decodeQuoted(node, source);
  if (node.type === 'heredoc_template') return decodeHeredoc(node, source);
  return null;
}

/** expression > template_expr > quoted_template, expression > literal_value > string_lit. */
function unwrap(n: Node): Node | null {
  let node: Node | null = n;
  while (node && (node.type === 'expression' || node.type === 'template_expr' || node.type === 'literal_value')) {
    if (node.namedChildCount !== 1) return null;
    node = node.namedChild(0);
  }
  return node;
}

function holesOf(node: Node): Node[] {
  return node.namedChildren.filter((c): c is Node => c !== null && HOLES.has(c.type));
}

function decodeQuoted(node: Node, source: string): MappedText {
  const first = node.child(0)!;
  const last = node.child(node.childCount - 1)!;
  const b = new MappedTextBuilder();
  let pos = first.endIndex;
  const end = last.startIndex;
  for (const hole of holesOf(node)) {
    templateLiteral(b, source, pos, hole.startIndex, true);
    b.pushHole(source.slice(hole.startIndex, hole.endIndex), hole.startIndex);
    pos = hole.endIndex;
  }
  templateLiteral(b, source, pos, end, true);
  return b.build(end);
}

const HCL_ESCAPES: Escapes = { simple: { n: '\n', r: '\r', t: '\t', '"': '"', '\\': '\\' }, hex: { u: 4, U: 8 } };

/** Literal template text: `$${`/`%%{` in both forms, backslash escapes only in quoted templates. */
function templateLiteral(b: MappedTextBuilder, s: string, from: number, to: number, quoted: boolean): void {
  let i = from;
  while (i < to) {
    const c = s[i]!;
    const next = quoted && c === '\\' ? pushEscape(b, s, i, to, HCL_ESCAPES) : -1;
    if (next !== -1) {
      i = next;
      continue;
    }
    if ((c === '$' || c === '%') && s[i + 1] === c && s[i + 2] === '{') {
      // `$${` is `${`: the `{` is the one written, the doubled sign stands for one.
      b.push(c, i, i + 2);
      b.pushVerbatim('{', i + 2);
      i += 3;
      continue;
    }
    b.pushVerbatim(c, i);
    i++;
  }
}

interface Piece {
  readonly hole: boolean;
  readonly from: number;
  readonly to: number;
}

/** A heredoc's pieces, literal ones cut at line ends; `lineStart`: the part begins a line. */
interface Part extends Piece {
  readonly lineStart: boolean;
  /** Literal parts: a line of only whitespace ending in a newline (it does not count for `<<-`). */
  readonly blank: boolean;
}

function* parts(pieces: readonly Piece[], s: string): Generator<Part> {
  let lineStart = true;
  for (const p of pieces) {
    if (p.hole) {
      yield { ...p, lineStart, blank: false };
      lineStart = false;
      continue;
    }
    let i = p.from;
    while (i < p.to) {
      const lineEnd = s.indexOf('\n', i);
      const stop = lineEnd === -1 || lineEnd >= p.to ? p.to : lineEnd + 1;
      let w = i;
      while (w < p.to && isSpace(s[w]!)) w++;
      yield { hole: false, from: i, to: stop, lineStart, blank: w < p.to && s[w] === '\n' };
      lineStart = s[stop - 1] === '\n';
      i = stop;
    }
  }
}

function decodeHeredoc(node: Node, source: string): MappedText {
  const flush = node.child(0)?.text === '<<-';
  const idents = node.children.filter((c): c is Node => c !== null && c.type === 'heredoc_identifier');
  const open = idents[0]!;
  const close = idents[idents.length - 1]!;
  const nl = source.indexOf('\n', open.endIndex);
  const start = nl === -1 ? open.endIndex : nl + 1;
  const end = close === open ? start : source.lastIndexOf('\n', close.startIndex - 1) + 1;
  const pieces: Piece[] = [];
  let pos = start;
  for (const hole of holesOf(node)) {
    if (hole.startIndex > pos) pieces.push({ hole: false, from: pos, to: hole.startIndex });
    pieces.push({ hole: true, from: hole.startIndex, to: hole.endIndex });
    pos = hole.endIndex;
  }
  if (end > pos) pieces.push({ hole: false, from: pos, to: Math.max(pos, end) });
  const strip = flush ? flushIndent(pieces, source) : 0;
  const b = new MappedTextBuilder();
  for (const p of parts(pieces, source)) {
    if (p.hole) {
      b.pushHole(source.slice(p.from, p.to), p.from);
      continue;
    }
    let from = p.from;
    if (p.lineStart && !p.blank) while (from - p.from < strip && from < p.to && isSpace(source[from]!)) from++;
    templateLiteral(b, source, from, p.to, false);
  }
  return b.build(end);
}

function isSpace(c: string): boolean {
  return c === ' ' || c === '\t';
}

/** HCL `<<-`: the smallest indentation of the non-blank lines; a line that starts with `${` has none. */
function flushIndent(pieces: readonly Piece[], s: string): number {
  let min = Infinity;
  for (const p of parts(pieces, s)) {
    if (!p.lineStart || p.blank) continue;
    let n = 0;
    if (!p.hole) while (p.from + n < p.to && isSpace(s[p.from + n]!)) n++;
    min = Math.min(min, n);
  }
  return min === Infinity ? 0 : min;
}
