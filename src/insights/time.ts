/**
 * Time periods of bin/datefloor/dateceil (insights spec 2.7, 7.4, D25).
 */
export type PeriodUnit = 'ms' | 's' | 'm' | 'h' | 'd' | 'w' | 'mo' | 'q' | 'y';

export interface Period {
  readonly count: number;
  readonly unit: PeriodUnit;
}

const UNIT_NAMES: Record<string, PeriodUnit> = {
  ms: 'ms', msec: 'ms', millisecond: 'ms',
  s: 's', sec: 's', second: 's',
  m: 'm', min: 'm', minute: 'm',
  h: 'h', hr: 'h', hour: 'h',
  d: 'd', day: 'd',
  w: 'w', week: 'w',
  mo: 'mo', mon: 'mo', month: 'mo',
  q: 'q', qtr: 'q', quarter: 'q',
  y: 'y', yr: 'y', year: 'y',
};

/** spec 7.4: documented caps; a larger number is silently replaced by the cap. */
const CAPS: Partial<Record<PeriodUnit, number>> = { ms: 1000, s: 60, m: 60, h: 24 };

const FIXED_MS: Partial<Record<PeriodUnit, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const MONTHS: Partial<Record<PeriodUnit, number>> = { mo: 1, q: 3, y: 12 };
/** Monday 1970-01-05T00:00:00Z: weeks align here (D25). */
const FIRST_MONDAY = 4 * 86_400_000;

/** Reads a unit as written (case-insensitive, multi-character units may take a plural s). */
export function periodUnit(text: string): PeriodUnit | undefined {
  const t = text.toLowerCase();
  if (UNIT_NAMES[t]) return UNIT_NAMES[t];
  if (t.length > 2 && t.endsWith('s') && UNIT_NAMES[t.slice(0, -1)]) return UNIT_NAMES[t.slice(0, -1)];
  return undefined;
}

export function makePeriod(count: number, unit: PeriodUnit): Period {
  const cap = CAPS[unit];
  return { count: cap !== undefined ? Math.min(count, cap) : count, unit };
}

export function periodMs(p: Period): number | undefined {
  const f = FIXED_MS[p.unit];
  return f === undefined ? undefined : f * p.count;
}

export function floorToPeriod(ms: number, p: Period): number {
  if (p.count <= 0) return ms;
  const fixed = periodMs(p);
  if (fixed !== undefined) {
    const origin = p.unit === 'w' ? FIRST_MONDAY : 0;
    return origin + Math.floor((ms - origin) / fixed) * fixed;
  }
  const months = MONTHS[p.unit]! * p.count;
  const d = new Date(ms);
  const index = (d.getUTCFullYear() - 1970) * 12 + d.getUTCMonth();
  const start = Math.floor(index / months) * months;
  return Date.UTC(1970 + Math.floor(start / 12), ((start % 12) + 12) % 12, 1);
}

/** D25: a value already on a boundary is unchanged. */
export function ceilToPeriod(ms: number, p: Period): number {
  const f = floorToPeriod(ms, p);
  if (f === ms || p.count <= 0) return ms;
  const fixed = periodMs(p);
  if (fixed !== undefined) return f + fixed;
  const months = MONTHS[p.unit]! * p.count;
  const d = new Date(f);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, 1);
}
