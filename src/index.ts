/**
 * haystack's public API.
 */
export { compileFilterPattern, FilterPatternError, type CompiledFilterPattern } from './filter/index.js';
export { DiagnosticError, type Diagnostic, type Span, type Severity } from './diagnostics/diagnostic.js';
export { renderText, renderAllText, renderGithub, toJson as diagnosticToJson } from './diagnostics/render.js';
export { runQuery, compileQuery, QueryError, QueryRun, type QueryResult, type QueryEvent, type CompiledQuery, type Cell } from './insights/index.js';
export { queryInputs } from './insights/scan.js';
export { filterInputs } from './filter/plan.js';
export { DEFAULT_LIMITS, ResourceLimitError, type QueryLimits } from './insights/index.js';

// The discrimiNAT model
export { validateLine, type LineVerdict, type FlowLine as FlowLogLine, type ConfigLine as ConfigLogLine } from './discriminat/schema.js';
export { validateInputs, type ValidationReport } from './discriminat/schema-report.js';
export { parseAnnotation, printAnnotation, printAnnotations, type Annotation, type AnnotationOptions, type WildcardExposure, type Generation } from './discriminat/annotations.js';
export { compileAddrMatcher } from './discriminat/wildcards.js';
export { publicSuffixTail, TLDTS_VERSION } from './discriminat/psl.js';
export { loadEstate, estateFromTexts, type Estate, type EstateView, type LoadedEstate } from './discriminat/estate.js';
export { decide, configLines, estateConfigLines, toJsonLine, type ConnectionSummary, type Decision } from './discriminat/decision.js';
export { REASONS } from './discriminat/reasons.js';
export { generate } from './discriminat/generator.js';

// Recipes and the allowlist workflow
export { RECIPES } from './recipes/catalog.js';
export { prepareRecipe, runRecipe, RecipeError } from './recipes/run.js';
export { resolveInputs, type Input } from './sources/inputs.js';

// CloudWatch itself (the AWS SDK is loaded only when a client is opened)
export { openClient, CloudWatchError, type CloudWatchOptions } from './cloudwatch/client.js';
export { cloudWatchInput, filterPages, type CloudWatchEvent, type EventQuery } from './cloudwatch/source.js';
export { pull, PullError, type PullOptions, type PullManifest } from './cloudwatch/pull.js';
export { tail, type TailOptions } from './cloudwatch/tail.js';
export { runRemoteQuery, compareResults, QueryStopped, type RemoteQueryOptions, type RemoteResult } from './cloudwatch/remote-query.js';
export { checkAws, parseCases, type FilterCase, type CheckReport } from './cloudwatch/check-aws.js';
export { streamingDiagnostics } from './insights/streaming.js';

// Linting infrastructure code (haystack lint)
export { lintText, lintFile, type FileReport, type CheckedValue, type FileKind } from './lint/lint.js';
