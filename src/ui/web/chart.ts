/**
 * Small SVG charts drawn here (no chart library, nothing remote): a bar histogram over time and
 * a horizontal timeline of days left. Sizes are in viewBox units; CSS scales the drawing.
 */
import type { Histogram } from '../protocol.js';
import { num, svg } from './dom.js';

const W = 900;

function timeLabel(ms: number, binMs: number): string {
  const iso = new Date(ms).toISOString();
  if (binMs >= 86_400_000) return iso.slice(0, 10);
  if (binMs >= 60_000) return `${iso.slice(5, 10)} ${iso.slice(11, 16)}`;
  return iso.slice(11, 19);
}

/** Bars of counts per bin; `title` on each bar says its bin and count. */
export function histogramChart(hist: Histogram, options: { height?: number; label?: string } = {}): SVGSVGElement {
  const H = options.height ?? 140;
  const left = 48;
  const bottom = 22;
  const plotW = W - left - 8;
  const plotH = H - bottom - 8;
  const max = Math.max(1, ...hist.counts);
  const n = Math.max(1, hist.counts.length);
  const bw = plotW / n;
  const bars = hist.counts.map((c, i) => {
    const bh = (c / max) * plotH;
    const t = hist.start + i * hist.binMs;
    return svg('rect', { class: 'bar', x: (left + i * bw + 0.5).toFixed(1), y: (8 + plotH - bh).toFixed(1), width: Math.max(1, bw - 1).toFixed(1), height: bh.toFixed(1) },
      svg('title', {}, `${timeLabel(t, hist.binMs)} (+${hist.binLabel}): ${num(c)}`));
  });
  const ticks = hist.counts.length === 0 ? [] : [0, Math.floor((n - 1) / 2), n - 1].filter((x, i, a) => a.indexOf(x) === i);
  return svg('svg', { class: 'chart', viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': options.label ?? 'histogram' },
    svg('line', { class: 'axis', x1: left, y1: 8 + plotH, x2: W - 8, y2: 8 + plotH }),
    svg('text', { class: 'tick', x: left - 6, y: 16, 'text-anchor': 'end' }, num(max)),
    svg('text', { class: 'tick', x: left - 6, y: 8 + plotH, 'text-anchor': 'end' }, '0'),
    bars,
    ticks.map((i) => svg('text', { class: 'tick', x: (left + i * bw + bw / 2).toFixed(1), y: H - 6, 'text-anchor': i === 0 ? 'start' : i === n - 1 ? 'end' : 'middle' },
      timeLabel(hist.start + i * hist.binMs, hist.binMs))),
    hist.counts.length === 0 ? svg('text', { class: 'tick', x: W / 2, y: H / 2, 'text-anchor': 'middle' }, 'no event with a time') : null,
  );
}

export interface TimelineRow {
  readonly label: string;
  readonly days: number;
  readonly thruDate: string | null;
  readonly status: string;
}

/** One bar per rule from today (0) to its days left; expired rules reach left of 0. */
export function daysTimeline(rows: readonly TimelineRow[]): SVGSVGElement {
  const rowH = 26;
  const left = 170;
  const right = 150;
  const H = rows.length * rowH + 30;
  const lo = Math.min(0, ...rows.map((r) => r.days));
  const hi = Math.max(1, ...rows.map((r) => r.days));
  const x = (d: number): number => left + ((d - lo) / (hi - lo)) * (W - left - right);
  return svg('svg', { class: 'chart timeline', viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': 'days left per see-thru rule' },
    svg('line', { class: 'today', x1: x(0), y1: 4, x2: x(0), y2: H - 22 }),
    svg('text', { class: 'tick', x: x(0), y: H - 6, 'text-anchor': lo === 0 ? 'start' : hi <= 1 ? 'end' : 'middle' }, 'as of'),
    lo < 0 ? svg('text', { class: 'tick', x: x(lo), y: H - 6, 'text-anchor': 'start' }, `${lo}d`) : null,
    hi > 1 ? svg('text', { class: 'tick', x: x(hi), y: H - 6, 'text-anchor': 'end' }, `+${hi}d`) : null,
    rows.map((r, i) => {
      const y = 8 + i * rowH;
      const a = x(Math.min(0, r.days));
      const b = x(Math.max(0, r.days));
      const tone = r.status === 'removed' ? 'removed' : r.days < 0 ? 'expired' : r.days <= 2 ? 'urgent' : r.days <= 7 ? 'soon' : 'ok';
      return svg('g', {},
        svg('text', { class: 'label', x: left - 8, y: y + 14, 'text-anchor': 'end' }, r.label),
        svg('rect', { class: `span ${tone}`, x: a.toFixed(1), y, width: Math.max(2, b - a).toFixed(1), height: rowH - 8 }),
        svg('text', { class: 'label', x: W - right + 8, y: y + 14 },
          r.status === 'removed' ? 'removed' : r.days < 0 ? `expired ${-r.days}d ago` : `${r.days}d left${r.thruDate ? ` (${r.thruDate})` : ''}`),
      );
    }),
  );
}
