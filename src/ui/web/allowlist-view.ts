/**
 * Allowlist review for one see-thru group: keep or drop each host, accept or refuse each
 * proposed wildcard fold, see the packed rule descriptions change, replay the proposal, and
 * download what `haystack allowlist` writes for the same choices (the command is shown).
 */
import type { AllowlistChoices, AllowlistResponse, InfoResponse, ReplayResponse } from '../protocol.js';
import { ApiError, download, postJson } from './client.js';
import { fill, h, num } from './dom.js';

interface JsonRule { protocol: string; port: number; cidr: string; description: string; index: number; of: number }
interface JsonFold { protocol: string; port: number; addr: string; hosts: string[] }
interface JsonRefused extends JsonFold { refusal: string; detail: string }
interface JsonLeftOut { protocol: string; port: number; host: string; reason: string; detail: string; connections: number }
interface JsonAllowlist { rules: JsonRule[]; folds: JsonFold[]; refused_folds: JsonRefused[]; left_out: JsonLeftOut[]; totals: { connections: number; clients: number } }

/** `2026-03-29 14:02` for an ISO time (the full time is the cell's title). */
const shortTime = (iso: string | null): string => (iso === null ? '-' : `${iso.slice(0, 10)} ${iso.slice(11, 16)}`);

const OUTPUTS: readonly (readonly [string, string])[] = [['terraform', 'Terraform'], ['cloudformation', 'CloudFormation'], ['aws-cli', 'CLI JSON'], ['json', 'JSON report'], ['text', 'text report']];

export function allowlistView(info: InfoResponse): HTMLElement {
  const choices = { gid: '', exclude: new Set<string>(), wildcards: true, refuseFolds: new Set<string>(), exposure: 'prohibit_public_suffix', minFold: 2, targetGid: '' };
  const gidSelect = h('select', { 'data-test': 'gid', 'aria-label': 'see-thru group', on: { change: () => { choices.gid = gidSelect.value; choices.exclude.clear(); choices.refuseFolds.clear(); void refresh(); } } });
  const wildcards = h('input', { type: 'checkbox', 'data-test': 'wildcards', props: { checked: choices.wildcards }, on: { change: () => { choices.wildcards = wildcards.checked; void refresh(); } } });
  const exposure = h('select', { 'aria-label': 'wildcard exposure', on: { change: () => { choices.exposure = exposure.value; void refresh(); } } },
    info.exposures.map((x) => h('option', { value: x, props: { selected: x === choices.exposure } }, x)));
  const minFold = h('input', { type: 'number', min: 2, class: 'small', props: { value: String(choices.minFold) }, 'aria-label': 'min fold', on: { change: () => { choices.minFold = Number(minFold.value); void refresh(); } } });
  const target = h('input', { type: 'text', placeholder: 'target group (optional)', class: 'gid-input', 'data-test': 'target-gid', on: { change: () => { choices.targetGid = target.value.trim(); void refresh(); } } });
  const hostsEl = h('div', { 'data-test': 'hosts' });
  const foldsEl = h('div', { 'data-test': 'folds' });
  const rulesEl = h('div', { 'data-test': 'rules' });
  const leftEl = h('div');
  const commandEl = h('pre', { class: 'command', 'data-test': 'command' });
  const message = h('div', { class: 'status', 'data-test': 'allowlist-status' });
  const replayEl = h('div', { 'data-test': 'replay' });
  let seq = 0;

  const current = (): AllowlistChoices => ({
    gid: choices.gid, exclude: [...choices.exclude].sort(), wildcards: choices.wildcards, refuseFolds: [...choices.refuseFolds].sort(),
    exposure: choices.exposure, minFold: choices.minFold, targetGid: choices.targetGid === '' ? null : choices.targetGid,
  });

  async function refresh(): Promise<void> {
    if (choices.gid === '') return;
    const mine = ++seq;
    try {
      const r = await postJson<AllowlistResponse>('/api/allowlist', current());
      if (mine !== seq) return;
      fill(message);
      render(r);
    } catch (e) {
      if (mine !== seq) return;
      const ds = e instanceof ApiError ? (e.body.diagnostics ?? []) : [];
      fill(message, ds.length > 0 ? h('div', { class: 'diagnostics' }, ds.map((d) => h('pre', { class: `diag ${d.severity}` }, d.text)))
        : h('span', { class: 'error' }, e instanceof ApiError ? e.message : String(e)));
    }
  }

  function render(r: AllowlistResponse): void {
    const a = r.allowlist as JsonAllowlist;
    fill(hostsEl, h('table', { class: 'grid' },
      h('thead', {}, h('tr', {}, ['keep', 'host', 'proto', 'port', 'connections', 'clients', 'first seen', 'last seen'].map((t) => h('th', {}, t)))),
      h('tbody', {}, r.hosts.map((x) => {
        const box = h('input', { type: 'checkbox', 'data-host': x.host, 'aria-label': `keep ${x.host}`, props: { checked: !choices.exclude.has(x.host) },
          on: { change: () => { if (box.checked) choices.exclude.delete(x.host); else choices.exclude.add(x.host); void refresh(); } } });
        return h('tr', { class: choices.exclude.has(x.host) ? 'dropped' : '' },
          h('td', {}, box), h('td', {}, x.host), h('td', {}, x.protocol), h('td', { class: 'n' }, x.port), h('td', { class: 'n' }, num(x.connections)),
          h('td', { class: 'n' }, num(x.clients)), h('td', { title: x.firstSeen ?? '' }, shortTime(x.firstSeen)), h('td', { title: x.lastSeen ?? '' }, shortTime(x.lastSeen)));
      }))));
    const declined = a.refused_folds.filter((f) => f.refusal === 'declined');
    const other = a.refused_folds.filter((f) => f.refusal !== 'declined');
    const foldRow = (f: JsonFold, accepted: boolean): HTMLElement => {
      const box = h('input', { type: 'checkbox', 'data-fold': f.addr, 'aria-label': `accept ${f.addr}`, props: { checked: accepted },
        on: { change: () => { if (box.checked) choices.refuseFolds.delete(f.addr); else choices.refuseFolds.add(f.addr); void refresh(); } } });
      return h('li', {}, h('label', {}, box, ' ', h('code', {}, f.addr), ` on ${f.protocol} ${f.port} covers ${f.hosts.join(', ')}`));
    };
    fill(foldsEl, !choices.wildcards
      ? h('p', { class: 'muted' }, 'wildcard folds are off')
      : a.folds.length + a.refused_folds.length === 0
        ? h('p', { class: 'muted' }, 'no parent has enough hosts to fold')
        : h('ul', { class: 'folds' }, a.folds.map((f) => foldRow(f, true)), declined.map((f) => foldRow(f, false)),
            other.map((f) => h('li', { class: 'muted' }, h('code', {}, f.addr), ` not proposed: ${f.detail}`))));
    fill(rulesEl, a.rules.length === 0
      ? h('p', { class: 'muted' }, 'no rule: nothing left to allow')
      : h('ol', { class: 'rules' }, a.rules.map((x) => h('li', {},
          h('div', { class: 'rule-head' }, `${x.protocol} tcp ${x.port} · ${x.cidr} · rule ${x.index} of ${x.of} · ${x.description.length} chars`),
          h('pre', { class: 'description' }, x.description)))));
    fill(leftEl, a.left_out.length === 0 ? null : [h('h3', {}, 'left out (no rule can allow these)'),
      h('ul', {}, a.left_out.map((l) => h('li', {}, `${l.host} ${l.protocol} ${l.port} (${num(l.connections)}): ${l.detail}`)))]);
    fill(commandEl, r.command);
  }

  async function runReplay(): Promise<void> {
    fill(replayEl, h('p', { class: 'muted' }, 'replaying…'));
    try {
      const r = await postJson<ReplayResponse>('/api/allowlist/replay', current());
      fill(replayEl,
        h('p', { 'data-test': 'replay-summary' }, `${num(r.replayed)} client lines decided again against ${r.estate} with these rules and without the see-thru: `,
          h('strong', {}, `${num(r.newlyDisallowedLines)} newly disallowed`), `, ${num(r.newlyAllowedLines)} newly allowed, ${num(r.unchanged)} unchanged.`),
        r.newlyDisallowed.length === 0 ? null : h('table', { class: 'grid' },
          h('thead', {}, h('tr', {}, ['client', 'dhost', 'proto', 'dpt', 'was', 'now', 'reason', 'lines'].map((t) => h('th', {}, t)))),
          h('tbody', {}, r.newlyDisallowed.map((x) => h('tr', {}, h('td', {}, x.client), h('td', {}, x.dhost), h('td', {}, x.proto), h('td', { class: 'n' }, x.dpt),
            h('td', {}, x.from), h('td', {}, x.to), h('td', {}, x.reason), h('td', { class: 'n' }, num(x.count)))))),
        r.more > 0 ? h('p', { class: 'muted' }, `and ${num(r.more)} more rows`) : null);
    } catch (e) {
      fill(replayEl, h('p', { class: 'error' }, e instanceof ApiError ? `${e.message}${e.body.hint ? ` (${e.body.hint})` : ''}` : String(e)));
    }
  }

  async function save(output: string): Promise<void> {
    try {
      await download('/api/allowlist/download', { ...current(), output });
    } catch (e) {
      fill(message, h('span', { class: 'error' }, e instanceof ApiError ? e.message : String(e)));
    }
  }

  function start(gids: readonly string[]): void {
    if (gids.length === 0) {
      fill(message, 'no see-thru rule let anything through in these logs: there is nothing to review');
      return;
    }
    fill(gidSelect, gids.map((g) => h('option', { value: g }, g)));
    choices.gid = gids.find((g) => g !== '%default') ?? gids[0]!;
    gidSelect.value = choices.gid;
    void refresh();
  }
  start(info.groups);

  return h('section', { class: 'view', 'data-view': 'allowlist' },
    h('div', { class: 'toolbar' },
      h('label', {}, 'see-thru group ', gidSelect),
      h('label', {}, wildcards, ' wildcard folds'),
      h('label', {}, 'exposure ', exposure),
      h('label', {}, 'min fold ', minFold),
      target),
    message,
    h('div', { class: 'columns' },
      h('div', { class: 'col' }, h('h2', {}, 'Hosts only the see-thru let through'), hostsEl, leftEl),
      h('div', { class: 'col' },
        h('h2', {}, 'Wildcard folds'), foldsEl,
        h('h2', {}, 'Packed rule descriptions'), rulesEl,
        h('h2', {}, 'Download'),
        h('div', { class: 'toolbar' }, OUTPUTS.map(([o, label]) => h('button', { 'data-download': o, on: { click: () => void save(o) } }, label))),
        h('p', { class: 'muted' }, 'the same as:'), commandEl,
        h('h2', {}, 'Replay the proposal'),
        h('p', { class: 'muted' }, info.estate === null
          ? 'start haystack ui with --estate FILE to replay the proposal against past flows'
          : `the rules as a new group on the see-thru group's interfaces in ${info.estate}, the see-thru removed, and past flows decided again`),
        h('button', { 'data-test': 'replay-run', props: { disabled: info.estate === null }, on: { click: () => void runReplay() } }, 'Replay'),
        replayEl)),
  );
}
