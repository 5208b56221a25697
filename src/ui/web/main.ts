/**
 * The web console: three views behind tabs (the hash names the view, so a reload keeps it).
 */
import './style.css';
import type { InfoResponse } from '../protocol.js';
import { allowlistView } from './allowlist-view.js';
import { getJson } from './client.js';
import { fill, h } from './dom.js';
import { queryView } from './query-view.js';
import { seeThruView } from './see-thru-view.js';

const VIEWS = [
  ['query', 'Query', queryView],
  ['see-thru', 'See-thru', () => seeThruView()],
  ['allowlist', 'Allowlist review', allowlistView],
] as const;

async function main(): Promise<void> {
  // The token came in the URL; the page's answer set it as a cookie. Keep it out of the address
  // bar and history from here on (a reload works with the cookie).
  if (new URLSearchParams(location.search).has('token')) history.replaceState(null, '', location.pathname + location.hash);
  const tabs = document.getElementById('tabs')!;
  const view = document.getElementById('view')!;
  const info = await getJson<InfoResponse>('/api/info');
  fill(document.getElementById('inputs')!, `${info.inputs.length} input${info.inputs.length === 1 ? '' : 's'}: ${info.inputs.join(', ')}`);
  // Each view is built once and kept, so a running query or a review survives a tab switch.
  const built = new Map<string, HTMLElement>();
  const show = (): void => {
    const name = location.hash.slice(1) || 'query';
    const entry = VIEWS.find(([n]) => n === name) ?? VIEWS[0];
    let el = built.get(entry[0]);
    if (el === undefined) built.set(entry[0], (el = entry[2](info)));
    fill(view, el);
    fill(tabs, VIEWS.map(([n, label]) => h('a', { href: `#${n}`, class: n === entry[0] ? 'tab active' : 'tab', 'data-tab': n }, label)));
  };
  window.addEventListener('hashchange', show);
  show();
}

main().catch((e: unknown) => {
  fill(document.getElementById('view')!, h('p', { class: 'error' }, `cannot reach the haystack server: ${String(e)}`));
});
