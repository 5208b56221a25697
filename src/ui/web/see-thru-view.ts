/**
 * See-thru: every see-thru rule with its days left on a timeline, the clients it covers, the
 * traffic it still carries, and its exerted client lines over time.
 */
import type { SeeThruResponse } from '../protocol.js';
import { daysTimeline, histogramChart } from './chart.js';
import { getJson } from './client.js';
import { fill, h, num } from './dom.js';

export function seeThruView(): HTMLElement {
  const body = h('div', {}, h('p', { class: 'muted' }, 'reading the see-thru rules…'));
  let latest: string | null = null;
  const asOf = h('input', { type: 'date', 'data-test': 'as-of', 'aria-label': 'as of', on: { change: () => load() } });
  const lastDay = h('button', { 'data-test': 'as-of-last', on: { click: () => { if (latest !== null) { asOf.value = latest; load(); } } } }, 'as of the last log day');
  const today = h('button', { on: { click: () => { asOf.value = ''; load(); } } }, 'today');
  const load = (): void => {
    const q = asOf.value === '' ? '' : `?asOf=${encodeURIComponent(asOf.value)}`;
    void getJson<SeeThruResponse>(`/api/see-thru${q}`).then((r) => {
      latest = r.rules.map((x) => x.lastSeen).filter((x): x is string => x !== null).sort().pop()?.slice(0, 10) ?? null;
      lastDay.disabled = latest === null;
      fill(body, ...render(r));
    }, (e: Error) => fill(body, h('p', { class: 'error' }, e.message)));
  };
  load();
  return h('section', { class: 'view', 'data-view': 'see-thru' },
    h('div', { class: 'toolbar' }, h('label', {}, 'days left as of ', asOf), today, lastDay, h('span', { class: 'muted' }, '(haystack see-thru --as-of)')),
    body);
}

function render(r: SeeThruResponse): Element[] {
  if (r.rules.length === 0) return [h('p', {}, 'no see-thru rule in these logs (no flow line with see_thru_gid, no config line of cat "see-thru")')];
  const byGid = new Map(r.exerted.series.map((s) => [s.gid, s.counts]));
  return [
    h('h2', {}, `Days left, as of ${r.asOf.slice(0, 10)} (UTC)`),
    daysTimeline(r.rules.map((x) => ({ label: x.gid, days: x.daysRemaining, thruDate: x.thruDate, status: x.status }))),
    h('h2', {}, 'Rules'),
    h('table', { class: 'grid', 'data-test': 'see-thru-rules' },
      h('thead', {}, h('tr', {}, ['gid', 'status', 'thru date', 'days left', 'clients covered', 'lines', 'exerted (still carried)', 'last seen'].map((t) => h('th', {}, t)))),
      h('tbody', {}, r.rules.map((x) => h('tr', {},
        h('td', {}, x.gid),
        h('td', {}, h('span', { class: `pill ${x.status}` }, x.status)),
        h('td', {}, x.thruDate ?? '-'),
        h('td', { class: 'n' }, `${x.daysRemaining}${x.daysAsLogged ? ' (as logged)' : ''}`),
        h('td', {}, h('details', {}, h('summary', {}, `${num(x.clients.length)} client${x.clients.length === 1 ? '' : 's'}`), h('div', { class: 'clients' }, x.clients.join(', ')))),
        h('td', { class: 'n' }, num(x.lines)),
        h('td', { class: 'n' }, num(x.exerted)),
        h('td', {}, x.lastSeen ?? '-'),
      ))),
    ),
    h('h2', {}, `see_thru_exerted over time (client lines per ${r.exerted.histogram.binLabel})`),
    h('div', { class: 'multiples' },
      r.rules.filter((x) => byGid.has(x.gid)).map((x) => h('div', { class: 'multiple' },
        h('div', { class: 'caption' }, `${x.gid}: ${num(x.exerted)} exerted`),
        histogramChart({ ...r.exerted.histogram, counts: byGid.get(x.gid)! }, { height: 90, label: `${x.gid} exerted` }),
      ))),
  ];
}
