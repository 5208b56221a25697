/**
 * haystack's public API.
 */
export { compileFilterPattern, FilterPatternError, type CompiledFilterPattern } from './filter/index.js';
export { DiagnosticError, type Diagnostic, type Span, type Severity } from './diagnostics/diagnostic.js';
export { renderText, renderAllText, renderGithub, toJson as diagnosticToJson } from './diagnostics/render.js';
export { runQuery, compileQuery, QueryError, QueryRun, type QueryResult, type QueryEvent, type CompiledQuery, type Cell } from './insights/index.js';
