/**
 * Input formats, and telling them apart from the first line of an input.
 *
 *   json      one bare JSON message per line (the firewall's own lines)
 *   text      one plain-text message per line
 *   export    `<ISO-8601 time> <message>` (CloudWatch export to S3)
 *   tail      `<ISO-8601 time> <stream> <message>` (`aws logs tail`)
 *   ndjson    `{"timestamp": ms, "message": "...", "logStreamName"?: "..."}` per line
 *   aws-json  the JSON that `aws logs filter-log-events` / `get-log-events` print
 */
export const FORMATS = ['json', 'text', 'export', 'tail', 'ndjson', 'aws-json'] as const;
export type Format = (typeof FORMATS)[number];

export function isFormat(s: string): s is Format {
  return (FORMATS as readonly string[]).includes(s);
}

/** Formats whose events carry a time. */
export function hasTimestamps(f: Format): boolean {
  return f !== 'json' && f !== 'text';
}

const ISO_START = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?\s/;
const OFFSET_TIME = /^\S+[+-]\d{2}:\d{2}\s/;

/**
 * Guesses the format of an input from its first non-blank line (and the bytes after it, for
 * pretty-printed aws-json). `--format` overrides the guess.
 */
export function detectFormat(head: string): Format {
  const lines = head.split('\n');
  const first = (lines.find((l) => l.trim() !== '') ?? '').replace(/^\uFEFF/, '').replace(/\r$/, '');
  const t = first.trim();
  if (t === '{' || /^\{\s*"(events|searchedLogStreams|nextToken|nextForwardToken|nextBackwardToken)"\s*:/.test(t)) return 'aws-json';
  if (t.startsWith('{')) {
    try {
      const v = JSON.parse(t) as Record<string, unknown>;
      if (v && typeof v === 'object' && typeof v.message === 'string' && 'timestamp' in v) return 'ndjson';
    } catch {
      // a line that is cut or broken: still a JSON-message file
    }
    return 'json';
  }
  if (ISO_START.test(first)) {
    // `aws logs tail` prints times with a +00:00 offset and the stream name before the message.
    const rest = first.replace(/^\S+\s+/, '');
    if (OFFSET_TIME.test(first) && /^\S+\s/.test(rest) && !rest.startsWith('{')) return 'tail';
    return 'export';
  }
  return 'text';
}
