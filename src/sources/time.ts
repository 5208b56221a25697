/**
 * Times: the CLI's `--start`/`--end` arguments, ISO-8601 timestamps read straight from log bytes
 * (once per line, so no strings and no Date.parse), and the one format haystack prints.
 */
import { DiagnosticError, span } from '../diagnostics/diagnostic.js';

const MS_PER_DAY = 86_400_000;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function isLeap(y: number): boolean {
  return y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
}

/** Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's days_from_civil): exact, no Date. */
function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400; // 0..399
  const doy = Math.floor((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) + d - 1; // March-based day of year
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/**
 * Epoch ms of a UTC wall-clock time shifted by `offsetMin` (local = UTC + offset), or NaN when a
 * field is out of range. A leap second (:60) is rejected: CloudWatch never stores one, and folding
 * it into :59.999 would silently reorder events.
 */
function epochMs(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number, offsetMin: number): number {
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59) return NaN;
  if (d > (mo === 2 && isLeap(y) ? 29 : DAYS_IN_MONTH[mo - 1])) return NaN;
  return daysFromCivil(y, mo, d) * MS_PER_DAY + ((h * 60 + mi - offsetMin) * 60 + s) * 1000 + ms;
}

const DASH = 0x2d, PLUS = 0x2b, COLON = 0x3a, DOT = 0x2e, T = 0x54, Z = 0x5a;

/** Two ASCII digits at p as a number, or -1. Callers check p+1 is inside the range first. */
function d2(b: Buffer, p: number): number {
  const hi = b[p] - 0x30, lo = b[p + 1] - 0x30;
  return hi >= 0 && hi <= 9 && lo >= 0 && lo <= 9 ? hi * 10 + lo : -1;
}

/**
 * Epoch ms of the ISO-8601 timestamp that fills `buf[start, end)` exactly, or NaN.
 * Accepts `YYYY-MM-DDThh:mm:ss`, an optional fraction of 1-9 digits (truncated to ms; `aws logs
 * tail` prints 6), then `Z` or `+hh:mm`/`-hh:mm`. Nothing else: no zone-less times (ambiguous in
 * a log), no space for `T`, no lowercase, no `.` without digits.
 */
export function parseIsoTimestamp(buf: Buffer, start: number, end: number): number {
  if (end - start < 20 || end > buf.length) return NaN; // 2026-11-25T13:00:00Z is the shortest
  const p0 = start;
  const y1 = d2(buf, p0), y2 = d2(buf, p0 + 2), mo = d2(buf, p0 + 5), d = d2(buf, p0 + 8);
  const h = d2(buf, p0 + 11), mi = d2(buf, p0 + 14), s = d2(buf, p0 + 17);
  // Any -1 makes the OR negative.
  if ((y1 | y2 | mo | d | h | mi | s) < 0) return NaN;
  if (buf[p0 + 4] !== DASH || buf[p0 + 7] !== DASH || buf[p0 + 10] !== T || buf[p0 + 13] !== COLON || buf[p0 + 16] !== COLON) {
    return NaN;
  }
  let p = p0 + 19;
  let ms = 0;
  if (buf[p] === DOT) {
    const first = ++p;
    while (p < end) {
      const digit = buf[p] - 0x30;
      if (digit < 0 || digit > 9) break;
      if (p - first < 3) ms = ms * 10 + digit; // beyond ms: truncate
      p++;
    }
    const n = p - first;
    if (n === 0 || n > 9) return NaN;
    for (let k = n; k < 3; k++) ms *= 10; // ".5" is 500 ms
  }
  let offsetMin = 0;
  const z = buf[p];
  if (z === Z && p + 1 === end) {
    // UTC
  } else if ((z === PLUS || z === DASH) && p + 6 === end && buf[p + 3] === COLON) {
    const oh = d2(buf, p + 1), om = d2(buf, p + 4);
    if (oh < 0 || om < 0 || oh > 23 || om > 59) return NaN;
    offsetMin = (z === PLUS ? 1 : -1) * (oh * 60 + om);
  } else {
    return NaN;
  }
  return epochMs(y1 * 100 + y2, mo, d, h, mi, s, ms, offsetMin);
}

/** `2026-11-25T13:00:00.000Z`: always UTC, always milliseconds, so output sorts as text. Throws RangeError for NaN, as Date does. */
export function formatIso(ms: number): string {
  return new Date(ms).toISOString();
}

// Date, then optionally a time (T or space), then optionally a zone (only after a time).
const ISO_ARG = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?$/;
const DURATION = /^(?:\d+[smhdw])+$/;
const DURATION_PART = /(\d+)([smhdw])/g;
const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: MS_PER_DAY, w: 7 * MS_PER_DAY };

const ACCEPTED =
  'use an ISO-8601 date-time (2026-11-25T13:00:00Z, 2026-11-25T13:00:00.250+01:00, 2026-11-25 13:00, ' +
  'or 2026-11-25 for midnight UTC; no zone means UTC), epoch milliseconds (1795611600000), ' +
  'or a duration before now (90s, 15m, 2h, 7d, 1w, 1h30m)';

/**
 * Epoch ms for a `--start`/`--end` argument. A date-time without a zone means UTC, not the
 * machine's zone: CloudWatch timestamps are UTC and a scan must give the same answer anywhere.
 * A duration means "that long before `now`". Throws DiagnosticError HS4101 otherwise.
 */
export function parseTimeArg(text: string, now: number): number {
  const t = text.trim();
  const fail = (message: string, hint = ACCEPTED): never => {
    throw new DiagnosticError([{ code: 'HS4101', severity: 'error', message, span: span(0, text.length), hint }], text);
  };
  if (t === '') fail('the time is empty');

  const iso = ISO_ARG.exec(t);
  if (iso) {
    const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', zone = 'Z'] = iso;
    let offsetMin = 0;
    if (zone !== 'Z') {
      const digits = zone.slice(1).replace(':', '');
      const oh = Number(digits.slice(0, 2)), om = Number(digits.slice(2) || '0');
      if (oh > 23 || om > 59) fail(`"${t}" has a zone offset out of range`);
      offsetMin = (zone[0] === '-' ? -1 : 1) * (oh * 60 + om);
    }
    const ms = Number(frac.slice(0, 3).padEnd(3, '0'));
    const result = epochMs(Number(y), Number(mo), Number(d), Number(h), Number(mi), Number(s), ms, offsetMin);
    if (Number.isNaN(result)) fail(`"${t}" is not a real date and time (a month, day, hour, minute or second is out of range)`);
    return result;
  }
  if (/^\d+$/.test(t)) {
    // 12-14 digits covers 1973..5138 in ms; 10 digits is almost certainly epoch seconds.
    if (t.length >= 12 && t.length <= 14) return Number(t);
    if (t.length === 10) fail(`"${t}" looks like epoch seconds, but times are epoch milliseconds`, `write ${t}000 for milliseconds, or ${ACCEPTED}`);
    fail(`"${t}" is a number, but not epoch milliseconds (12 to 14 digits)`);
  }
  if (DURATION.test(t)) {
    let total = 0;
    for (const [, n, unit] of t.matchAll(DURATION_PART)) total += Number(n) * UNIT_MS[unit];
    const result = now - total;
    if (!Number.isSafeInteger(result)) fail(`"${t}" is too long a duration`);
    return result;
  }
  return fail(`"${t}" is not a time haystack understands`);
}
