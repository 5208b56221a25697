/**
 * Scan issues: lines that could not be read as events. Each is counted by kind, with where
 * the first one was, and summarised at the end of a scan; none is dropped silently.
 */
export type IssueKind =
  | 'not-json'
  | 'bad-utf8'
  | 'too-long'
  | 'bad-timestamp'
  | 'bad-event'
  | 'read-error';

/** Stable codes (HS4xxx) and the words used in the summary. */
export const ISSUE_INFO: Record<IssueKind, { code: string; words: string }> = {
  'not-json': { code: 'HS4001', words: 'not JSON' },
  'bad-utf8': { code: 'HS4002', words: 'not valid UTF-8' },
  'too-long': { code: 'HS4003', words: 'over 1 MiB' },
  'bad-timestamp': { code: 'HS4004', words: 'bad timestamp' },
  'bad-event': { code: 'HS4005', words: 'not a log event' },
  'read-error': { code: 'HS4006', words: 'read error' },
};

export interface IssueCount {
  count: number;
  /** Where the first one was: `input:line` (or `input` with a byte offset). */
  first: string;
  detail?: string;
  /** The first one's input and line, when it has a line (to re-base lines of a file part). */
  firstInput?: string;
  firstLine?: number;
}

export class ScanIssues {
  readonly byKind = new Map<IssueKind, IssueCount>();

  add(kind: IssueKind, where: string, detail?: string): void {
    const seen = this.byKind.get(kind);
    if (seen) seen.count++;
    else this.byKind.set(kind, { count: 1, first: where, ...(detail ? { detail } : {}) });
  }

  /** Like add, for a line of an input. */
  addAtLine(kind: IssueKind, input: string, line: number, detail?: string): void {
    const seen = this.byKind.get(kind);
    if (seen) seen.count++;
    else this.byKind.set(kind, { count: 1, first: `${input}:${line}`, firstInput: input, firstLine: line, ...(detail ? { detail } : {}) });
  }

  /**
   * Adds the issues of a later part of the same scan; `lineOffset` is added to the lines of
   * that part (it counted its lines from 1). Parts must be merged in input order.
   */
  merge(part: ReadonlyMap<IssueKind, IssueCount>, lineOffset: number): void {
    for (const [kind, c] of part) {
      const seen = this.byKind.get(kind);
      if (seen) {
        seen.count += c.count;
        continue;
      }
      const line = c.firstLine !== undefined ? c.firstLine + lineOffset : undefined;
      this.byKind.set(kind, {
        ...c,
        first: line !== undefined && c.firstInput !== undefined ? `${c.firstInput}:${line}` : c.first,
        ...(line !== undefined ? { firstLine: line } : {}),
      });
    }
  }

  get total(): number {
    let n = 0;
    for (const c of this.byKind.values()) n += c.count;
    return n;
  }

  /** `3 lines skipped: 2 not JSON (first at flow.log:1033), 1 over 1 MiB (first at ...)` */
  summary(): string | null {
    const total = this.total;
    if (total === 0) return null;
    const parts = [...this.byKind].map(
      ([k, c]) => `${c.count} ${ISSUE_INFO[k].words} (first at ${c.first}${c.detail ? `: ${c.detail}` : ''})`,
    );
    return `${total} ${total === 1 ? 'line' : 'lines'} skipped: ${parts.join(', ')}`;
  }
}
