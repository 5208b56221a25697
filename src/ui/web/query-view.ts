/**
 * Query: an editor for filter patterns and Insights queries with the CLI's diagnostics as you
 * type, a run that streams into a histogram and a table, progress and cancel, and export.
 */
import type { CheckResponse, InfoResponse, Language, RunMessage, UiDiagnostic } from '../protocol.js';
import { histogramChart } from './chart.js';
import { ApiError, download, postJson, postStream } from './client.js';
import { fill, h, num } from './dom.js';
import { ResultsTable } from './table.js';

export function queryView(info: InfoResponse): HTMLElement {
  let language: Language = 'filter';
  const editor = h('textarea', { class: 'editor', spellcheck: 'false', 'data-test': 'editor', rows: 4, 'aria-label': 'pattern or query' });
  const diagnostics = h('div', { class: 'diagnostics', 'data-test': 'diagnostics' });
  const status = h('div', { class: 'status', 'data-test': 'status' });
  const progress = h('progress', { class: 'progress', max: 1, props: { value: 0 } });
  const histogram = h('div', { class: 'histogram', 'data-test': 'histogram' });
  const capNote = h('div', { class: 'note', 'data-test': 'cap' });
  const table = new ResultsTable();
  const detail = h('div', { class: 'detail', 'data-test': 'detail' });
  table.onRow = (fields, row) => fill(detail, h('table', { class: 'grid kv' }, h('tbody', {}, rowDetail(fields, row).map(([k, v]) => h('tr', {}, h('th', {}, k), h('td', {}, v))))));
  const runButton = h('button', { class: 'primary', 'data-test': 'run', on: { click: () => void start() } }, 'Run');
  const cancelButton = h('button', { 'data-test': 'cancel', props: { disabled: true }, on: { click: () => controller?.abort() } }, 'Cancel');
  const format = h('select', { 'data-test': 'export-format', 'aria-label': 'export format' });
  const exportButton = h('button', { 'data-test': 'export', on: { click: () => void exportNow() } }, 'Export');
  const langSelect = h('select', { 'data-test': 'language', 'aria-label': 'language', on: { change: () => setLanguage(langSelect.value as Language) } },
    h('option', { value: 'filter' }, 'filter pattern'), h('option', { value: 'query' }, 'Logs Insights query'));
  const examples = h('select', { 'data-test': 'examples', 'aria-label': 'examples', on: { change: () => pickExample() } },
    h('option', { value: '' }, 'the log reference…'),
    info.examples.map((e, i) => h('option', { value: String(i), title: e.description }, `${e.language === 'query' ? 'query' : 'filter'}: ${e.name}`)));

  let controller: AbortController | null = null;
  let checkTimer: ReturnType<typeof setTimeout> | undefined;
  let checkSeq = 0;

  function setLanguage(l: Language): void {
    language = l;
    langSelect.value = l;
    fill(format, (l === 'filter' ? info.exportFormats.filter : info.exportFormats.query).map((f) => h('option', { value: f }, f)));
    scheduleCheck();
  }

  function pickExample(): void {
    const e = info.examples[Number(examples.value)];
    if (examples.value === '' || e === undefined) return;
    editor.value = e.text;
    setLanguage(e.language);
  }

  function showDiagnostics(ds: readonly UiDiagnostic[]): void {
    fill(diagnostics, ds.map((d) => h('pre', { class: `diag ${d.severity}` }, d.text)));
  }

  function scheduleCheck(): void {
    clearTimeout(checkTimer);
    checkTimer = setTimeout(() => void checkNow(), 150);
  }

  async function checkNow(): Promise<void> {
    const seq = ++checkSeq;
    if (editor.value.trim() === '' && language === 'query') return showDiagnostics([]);
    const r = await postJson<CheckResponse>('/api/check', { language, text: editor.value });
    if (seq === checkSeq) showDiagnostics(r.diagnostics);
  }

  async function start(): Promise<void> {
    controller?.abort();
    const c = new AbortController();
    controller = c;
    runButton.disabled = true;
    cancelButton.disabled = false;
    table.reset();
    fill(detail);
    fill(histogram);
    fill(capNote);
    progress.value = 0;
    progress.removeAttribute('value');
    fill(status, 'running…');
    let redraw: ReturnType<typeof setInterval> | undefined = setInterval(() => table.render(), 300);
    const finish = (): void => {
      clearInterval(redraw);
      redraw = undefined;
      table.render();
      runButton.disabled = false;
      cancelButton.disabled = true;
      if (controller === c) controller = null;
    };
    const onMessage = (m: RunMessage): void => {
      switch (m.type) {
        case 'fields':
          table.reset(m.fields);
          break;
        case 'rows':
          table.add(m.rows);
          break;
        case 'progress':
          if (m.totalBytes !== null && m.totalBytes > 0) progress.value = Math.min(1, m.bytes / m.totalBytes);
          fill(status, `scanned ${(m.bytes / 1e6).toFixed(1)} MB${m.totalBytes ? ` of ${(m.totalBytes / 1e6).toFixed(1)} MB` : ''}, ${num(m.matched)} matched so far`);
          break;
        case 'done':
          progress.value = 1;
          fill(status,
            h('strong', { 'data-test': 'matched' }, num(m.matched)),
            language === 'filter' ? ' events matched' : ` row${m.matched === 1 ? '' : 's'}`,
            ` · ${num(m.lines)} lines read in ${m.seconds.toFixed(2)} s`,
            m.issues ? ` · ${m.issues}` : '');
          fill(histogram, h('div', { class: 'caption' }, `${m.histogramOf} per ${m.histogram.binLabel}${m.histogram.untimed > 0 ? ` (${num(m.histogram.untimed)} without a time)` : ''}`),
            histogramChart(m.histogram, { label: m.histogramOf }));
          fill(capNote, m.capNote ?? '');
          break;
        case 'error':
          fill(status, h('span', { class: 'error' }, m.message));
          showDiagnostics(m.diagnostics);
          break;
        default: {
          const never: never = m;
          throw new Error(`unknown message ${JSON.stringify(never)}`);
        }
      }
    };
    try {
      await postStream('/api/run', { language, text: editor.value }, onMessage, c.signal);
    } catch (e) {
      if (c.signal.aborted) fill(status, h('span', { 'data-test': 'cancelled' }, `cancelled after ${num(table.length)} rows`));
      else fill(status, h('span', { class: 'error' }, e instanceof ApiError ? e.message : String(e)));
    } finally {
      finish();
    }
  }

  async function exportNow(): Promise<void> {
    try {
      await download('/api/export', { language, text: editor.value, format: format.value });
    } catch (e) {
      fill(status, h('span', { class: 'error' }, e instanceof ApiError ? e.message : String(e)));
    }
  }

  editor.addEventListener('input', scheduleCheck);
  editor.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) void start();
  });
  setLanguage('filter');

  return h('section', { class: 'view', 'data-view': 'query' },
    h('div', { class: 'toolbar' }, langSelect, examples, runButton, cancelButton, progress, h('span', { class: 'spacer' }), format, exportButton),
    editor,
    diagnostics,
    status,
    histogram,
    capNote,
    table.el,
    detail,
  );
}

/**
 * A clicked row as name/value pairs: its cells, and the members of a JSON @message (one level,
 * nested values as JSON text). Every value stays text.
 */
function rowDetail(fields: readonly string[], row: readonly (string | number | null)[]): [string, string][] {
  const out: [string, string][] = fields.map((f, i) => [f, String(row[i] ?? '')]);
  const message = row[fields.indexOf('@message')];
  if (typeof message !== 'string') return out;
  try {
    const parsed = JSON.parse(message) as unknown;
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return out;
    for (const [k, v] of Object.entries(parsed)) out.push([`  ${k}`, typeof v === 'string' ? v : JSON.stringify(v)]);
  } catch {
    // not JSON: the message cell says it all
  }
  return out;
}
