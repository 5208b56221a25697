/**
 * JSON with places, through Microsoft's `jsonc-parser` (the parser behind VS Code's JSON
 * support): a syntax tree whose nodes carry their offsets, and string nodes decoded into
 * MappedText (RFC 8259 escapes: `\" \\ \/ \b \f \n \r \t \uXXXX`).
 */
import { type Node as JsonNode, type ParseError, parseTree, printParseErrorCode } from 'jsonc-parser';
import type { Span } from '../diagnostics/diagnostic.js';
import { LintCode } from './codes.js';
import type { Extraction } from './target.js';
import { type Escapes, type MappedText, MappedTextBuilder, pushEscape } from './mapped-text.js';

export type { Node as JsonNode } from 'jsonc-parser';

export interface JsonParse {
  readonly root: JsonNode | undefined;
  /** The first syntax error, in words, and where. */
  readonly error: { readonly message: string; readonly span: Span } | null;
}

const ERROR_WORDS: Readonly<Record<string, string>> = {
  InvalidSymbol: 'an unexpected character',
  InvalidNumberFormat: 'a malformed number',
  PropertyNameExpected: 'a property name is expected',
  ValueExpected: 'a value is expected',
  ColonExpected: 'a colon is expected',
  CommaExpected: 'a comma is expected',
  CloseBraceExpected: 'a closing } is expected',
  CloseBracketExpected: 'a closing ] is expected',
  EndOfFileExpected: 'nothing may follow the JSON value',
  InvalidCommentToken: 'comments are not JSON',
  UnexpectedEndOfComment: 'a comment is not closed',
  UnexpectedEndOfString: 'a string is not closed',
  UnexpectedEndOfNumber: 'a number is cut short',
  InvalidUnicode: 'a \\u escape needs four hex digits',
  InvalidEscapeCharacter: 'an unknown escape',
  InvalidCharacter: 'a control character must be escaped inside a string',
};

/** Strict JSON: no comments, no trailing commas. */
export function parseJson(text: string): JsonParse {
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  const e = errors[0];
  if (!e) return { root, error: null };
  const name = printParseErrorCode(e.error);
  return { root, error: { message: ERROR_WORDS[name] ?? name, span: { start: e.offset, end: e.offset + Math.max(1, e.length) } } };
}

/** The value node of an object's property, or undefined. */
export function member(node: JsonNode | undefined, name: string): JsonNode | undefined {
  if (node?.type !== 'object') return undefined;
  for (const p of node.children ?? []) if (p.children?.[0]?.value === name) return p.children[1];
  return undefined;
}

export function members(node: JsonNode | undefined): [string, JsonNode][] {
  if (node?.type !== 'object') return [];
  const out: [string, JsonNode][] = [];
  for (const p of node.children ?? []) {
    const k = p.children?.[0];
    const v = p.children?.[1];
    if (typeof k?.value === 'string' && v) out.push([k.value, v]);
  }
  return out;
}

export function elements(node: JsonNode | undefined): JsonNode[] {
  return node?.type === 'array' ? (node.children ?? []) : [];
}

const JSON_ESCAPES: Escapes = { simple: { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' }, hex: { u: 4 } };

/** A string node's value; offsets index `text`, the text the node was parsed from. */
export function decodeJsonString(node: JsonNode, text: string): MappedText {
  const b = new MappedTextBuilder();
  const end = node.offset + node.length - 1;
  let i = node.offset + 1;
  while (i < end) {
    const c = text[i]!;
    const next = c === '\\' ? pushEscape(b, text, i, end, JSON_ESCAPES) : -1;
    if (next !== -1) {
      i = next;
      continue;
    }
    b.pushVerbatim(c, i);
    i++;
  }
  return b.build(end);
}

/** HS5001 for a file that is not JSON (or whose top level is not an object). */
export function unparseableJson(error: JsonParse['error'], what: string): Extraction {
  return {
    targets: [],
    diagnostics: [{
      code: LintCode.Unparseable,
      severity: 'error',
      message: `this is not valid ${what}: ${error ? error.message : 'the top level is not an object'}`,
      span: error ? error.span : { start: 0, end: 1 },
    }],
  };
}
