/**
 * `check-aws`: filter-pattern conformance cases run through AWS's own TestMetricFilter, in the
 * user's account (read-only: nothing is created), compared with haystack's answer for each.
 * TestMetricFilter takes one pattern and 1 to 50 non-empty messages a call and says which match.
 */
import { compileFilterPattern } from '../filter/index.js';
import { DiagnosticError } from '../diagnostics/diagnostic.js';
import { type CloudWatchLogs, describeAwsError } from './client.js';

export interface FilterCase {
  readonly id: string;
  readonly pattern: string;
  /** Absent for cases about the pattern alone (expect "invalid"). */
  readonly message?: string;
  readonly expect: 'match' | 'no-match' | 'invalid';
}

/** `valid`: the pattern was accepted (for a case without a message). */
export type Verdict = 'match' | 'no-match' | 'invalid' | 'valid';

export interface CaseOutcome {
  readonly case: FilterCase;
  readonly aws: Verdict | 'untestable';
  readonly haystack: Verdict;
}

export interface CheckReport {
  readonly outcomes: CaseOutcome[];
  readonly differences: CaseOutcome[];
  /** Cases AWS cannot test (an empty message): not counted as differences. */
  readonly untestable: CaseOutcome[];
  readonly calls: number;
}

/** TestMetricFilter's limit of messages per call. */
export const MESSAGES_PER_CALL = 50;

/** Reads a JSON Lines file of filter-pattern cases (test/conformance's format); throws on a bad line. */
export function parseCases(text: string, name: string): FilterCase[] {
  const cases: FilterCase[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let v: Record<string, unknown>;
    try {
      v = JSON.parse(line) as Record<string, unknown>;
    } catch (e) {
      throw new Error(`${name}:${i + 1}: not JSON (${(e as Error).message})`);
    }
    const ok = typeof v.id === 'string' && typeof v.pattern === 'string' && (v.expect === 'match' || v.expect === 'no-match' || v.expect === 'invalid') && (v.message === undefined || typeof v.message === 'string');
    if (!ok) throw new Error(`${name}:${i + 1}: not a filter-pattern case (needs id, pattern, expect, and message unless expect is "invalid")`);
    cases.push({ id: v.id as string, pattern: v.pattern as string, expect: v.expect as FilterCase['expect'], ...(typeof v.message === 'string' ? { message: v.message } : {}) });
  });
  return cases;
}

function haystackVerdict(c: FilterCase): Verdict {
  let compiled;
  try {
    compiled = compileFilterPattern(c.pattern);
  } catch (e) {
    if (e instanceof DiagnosticError) return 'invalid';
    throw e;
  }
  if (c.message === undefined) return 'valid';
  return compiled.matches(c.message) ? 'match' : 'no-match';
}

/** AWS says the pattern is invalid with InvalidParameterException. */
function isInvalidPattern(e: unknown): boolean {
  return (e as { name?: string })?.name === 'InvalidParameterException';
}

export async function checkAws(client: CloudWatchLogs, cases: readonly FilterCase[], onProgress?: (done: number, total: number) => void): Promise<CheckReport> {
  const byPattern = new Map<string, FilterCase[]>();
  for (const c of cases) {
    const list = byPattern.get(c.pattern) ?? [];
    list.push(c);
    byPattern.set(c.pattern, list);
  }
  const outcomes: CaseOutcome[] = [];
  let calls = 0;
  let done = 0;
  for (const [pattern, list] of byPattern) {
    const messages = [...new Set(list.map((c) => c.message).filter((m): m is string => m !== undefined && m !== ''))];
    // A pattern with no testable message is still sent once, to learn whether AWS accepts it.
    const batches: string[][] = [];
    for (let i = 0; i < messages.length; i += MESSAGES_PER_CALL) batches.push(messages.slice(i, i + MESSAGES_PER_CALL));
    if (batches.length === 0) batches.push(['haystack check-aws']);
    const matched = new Set<string>();
    let invalid = false;
    for (const batch of batches) {
      calls++;
      try {
        const r = await client.testMetricFilter({ filterPattern: pattern, logEventMessages: batch });
        for (const m of r.matches ?? []) {
          // eventNumber is 1-based; the message itself is the surer key (messages are unique here).
          const msg = m.eventMessage ?? (m.eventNumber !== undefined ? batch[m.eventNumber - 1] : undefined);
          if (msg !== undefined) matched.add(msg);
        }
      } catch (e) {
        if (!isInvalidPattern(e)) throw describeAwsError(e, 'TestMetricFilter');
        invalid = true;
        break;
      }
    }
    for (const c of list) {
      const aws: CaseOutcome['aws'] = invalid ? 'invalid' : c.message === undefined ? 'valid' : c.message === '' ? 'untestable' : matched.has(c.message) ? 'match' : 'no-match';
      outcomes.push({ case: c, aws, haystack: haystackVerdict(c) });
    }
    done += list.length;
    onProgress?.(done, cases.length);
  }
  const untestable = outcomes.filter((o) => o.aws === 'untestable');
  const differences = outcomes.filter((o) => o.aws !== 'untestable' && o.aws !== o.haystack);
  return { outcomes, differences, untestable, calls };
}
