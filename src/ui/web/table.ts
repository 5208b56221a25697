/**
 * A results table that sorts (click a heading) and pages. Rows are added while a scan streams;
 * every cell is a text node.
 */
import type { Cell } from '../protocol.js';
import { fill, h, num } from './dom.js';

const PAGE = 50;

function compare(a: Cell, b: Cell): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a) < String(b) ? -1 : 1;
}

export class ResultsTable {
  readonly el = h('div', { class: 'results' });
  /** Called with a row's fields and cells when it is clicked. */
  onRow: ((fields: readonly string[], row: readonly Cell[]) => void) | null = null;
  private fields: readonly string[] = [];
  private rows: Cell[][] = [];
  private order: Cell[][] | null = null;
  private sort: { col: number; desc: boolean } | null = null;
  private page = 0;

  reset(fields: readonly string[] = []): void {
    this.fields = fields;
    this.rows = [];
    this.order = null;
    this.sort = null;
    this.page = 0;
    this.render();
  }

  add(rows: readonly Cell[][]): void {
    for (const r of rows) this.rows.push(r);
    this.order = null;
  }

  get length(): number {
    return this.rows.length;
  }

  private sorted(): Cell[][] {
    if (this.order !== null) return this.order;
    const s = this.sort;
    this.order = s === null ? this.rows : [...this.rows].sort((a, b) => (s.desc ? -1 : 1) * compare(a[s.col] ?? null, b[s.col] ?? null));
    return this.order;
  }

  render(): void {
    if (this.fields.length === 0) {
      fill(this.el);
      return;
    }
    const rows = this.sorted();
    const pages = Math.max(1, Math.ceil(rows.length / PAGE));
    this.page = Math.min(this.page, pages - 1);
    const shown = rows.slice(this.page * PAGE, (this.page + 1) * PAGE);
    const head = this.fields.map((f, i) =>
      h('th', { 'data-col': f, on: { click: () => this.sortBy(i) }, title: 'sort' }, f, this.sort?.col === i ? (this.sort.desc ? ' ▼' : ' ▲') : ''),
    );
    const go = (p: number): void => {
      this.page = Math.max(0, Math.min(pages - 1, p));
      this.render();
    };
    fill(this.el,
      h('table', { class: 'grid', 'data-test': 'results' }, h('thead', {}, h('tr', {}, head)), h('tbody', {}, shown.map((r) => h('tr', { on: { click: () => this.onRow?.(this.fields, r) } }, r.map((c) => h('td', { class: typeof c === 'number' ? 'n' : '' }, c ?? '')))))),
      h('div', { class: 'pager' },
        h('button', { props: { disabled: this.page === 0 }, on: { click: () => go(this.page - 1) } }, '‹ prev'),
        h('span', { 'data-test': 'page' }, ` page ${this.page + 1} of ${pages} (${num(rows.length)} rows) `),
        h('button', { props: { disabled: this.page >= pages - 1 }, on: { click: () => go(this.page + 1) } }, 'next ›'),
      ),
    );
  }

  private sortBy(col: number): void {
    this.sort = this.sort?.col === col ? { col, desc: !this.sort.desc } : { col, desc: true };
    this.order = null;
    this.page = 0;
    this.render();
  }
}
