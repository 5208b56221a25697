export type * from './ast.js';
export { RegexCode, MAX_REPEAT } from './codes.js';
export { parseAwsRegex, type ParsedRegex } from './parser.js';
export { compileAwsRegex, requiredLiterals, re2Source } from './compile.js';
export { referenceRegexMatch } from './reference.js';
