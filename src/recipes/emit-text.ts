/**
 * The allowlist as a report for people: per rule its port, CIDR and description, the hosts it
 * holds with their counts; then the folds, what --exclude dropped, what no rule can allow and
 * why, and how to check the result (recipe step 6).
 */
import stringWidth from 'string-width';
import { escapeControls } from '../output/safety.js';
import { formatIso } from '../sources/time.js';
import { type Allowlist, type LeftOutReason, LEFT_OUT_REASONS, type ObservedHost, recipeQuery } from './allowlist.js';

/** Headings of the left-out groups; `invalid` and `no-hostname` rows also say why. */
const LEFT_OUT_TITLES: { readonly [R in LeftOutReason]: string } = {
  'no-hostname': 'no hostname: TLS without SNI, or SSH the firewall could not map to a name',
  'unknown-protocol': 'neither TLS nor SSH: only those can be allowlisted',
  http: 'plain HTTP: no rule can allow it',
  'http-crl': 'CRL fetches over plain HTTP: no rule can allow them; the x509_crls preference can (spec D5.4)',
  'old-version': 'TLS below 1.2 or SSH below 2.0: refused whatever the rules',
  'dns-mismatch': 'the address is not one the name resolves to: refused whatever the rules',
  invalid: 'not a hostname an allowlist can hold',
};

export function emitText(a: Allowlist): string {
  const out: string[] = [];
  const timed = a.totals.firstSeen !== null;
  const t = a.totals;
  const group = `see-thru group ${a.gid}`;
  if (t.connections === 0) {
    out.push(`${group}: no connection was let through by the see-thru alone; no rules to add.`);
  } else {
    out.push(`${group}: ${plural(t.connections, 'connection')} let through by the see-thru alone, from ${plural(t.clients, 'client')}`);
    if (timed) out.push(`  first seen ${iso(t.firstSeen)}, last seen ${iso(t.lastSeen)}`);
  }
  if (a.unusableLines > 0) out.push(`  ${plural(a.unusableLines, 'line')} of the group lacked dhost, proto, src or an integer dpt and were skipped`);

  if (a.rules.length > 0) {
    out.push('', `${plural(a.rules.length, 'rule')} (outbound TCP, one destination port each):`);
    for (const r of a.rules) {
      out.push('', `${r.protocol} on tcp ${r.port}, rule ${r.index} of ${r.of}, ${r.cidr}`, `  ${r.description}`);
      const rows: Row[] = [];
      for (const e of r.entries) {
        if (e.fold) {
          rows.push({ cells: [`${e.addr} (fold of ${e.hosts.length})`], indent: 0 });
          for (const h of e.hosts) rows.push({ cells: [h.host, ...counts(h, timed)], indent: 2 });
        } else {
          rows.push({ cells: [e.addr, ...counts(e.hosts[0]!, timed)], indent: 0 });
        }
      }
      out.push(...table(['host', ...countHeads(timed)], rows, '  '));
    }
  }

  if (a.wildcards) {
    out.push('', `wildcard folds (exposure ${a.exposure}, at least ${a.minFold} hosts one label under the same parent):`);
    if (a.folds.length === 0 && a.refusedFolds.length === 0) out.push('  none: no parent has enough hosts');
    for (const f of a.folds) out.push(`  ${f.addr} on ${f.protocol} ${f.port} covers ${f.hosts.join(', ')}`);
    for (const f of a.refusedFolds) out.push(`  not folded: ${f.addr} on ${f.protocol} ${f.port} (${f.hosts.join(', ')}): ${f.detail}`);
  }

  if (a.excludePatterns.length > 0) {
    out.push('', 'excluded (--exclude):');
    for (const p of a.excludePatterns) {
      const hosts = a.excluded.filter((e) => e.pattern === p.pattern);
      out.push(`  ${p.pattern}: ${hosts.length === 0 ? 'matched nothing' : plural(hosts.length, 'host')}`);
      if (hosts.length > 0) out.push(...table(['host', 'proto', 'port', ...countHeads(timed)], hosts.map((h) => ({ cells: [h.host, h.protocol, String(h.port), ...counts(h, timed)], indent: 0 })), '    '));
    }
  }

  if (a.leftOut.length > 0) {
    out.push('', 'left out (no rule can allow these):');
    for (const reason of LEFT_OUT_REASONS) {
      const hosts = a.leftOut.filter((l) => l.reason === reason);
      if (hosts.length === 0) continue;
      out.push(`  ${LEFT_OUT_TITLES[reason]}`);
      const why = reason === 'invalid';
      const rows = hosts.map((h) => ({ cells: [h.host, h.protocol, String(h.port), ...counts(h, timed), ...(why ? [h.detail] : [])], indent: 0 }));
      out.push(...table(['host', 'proto', 'port', ...countHeads(timed), ...(why ? ['why'] : [])], rows, '    '));
    }
  }

  out.push(
    '',
    'next (recipe step 6): attach the rules, run the application through its lifecycle again, then check',
    'that nothing but what is excluded or left out above still needs the see-thru:',
    `  haystack verify --gid ${a.gid}${a.excludePatterns.map((p) => ` --exclude '${p.pattern}'`).join('')} LOGS`,
    'or in CloudWatch Logs Insights:',
    ...recipeQuery(a.gid).split('\n').map((l) => `  ${l}`),
  );
  return out.map((l) => escapeControls(l)).join('\n') + '\n';
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function iso(ms: number | null): string {
  return ms === null ? '-' : formatIso(ms);
}

function countHeads(timed: boolean): string[] {
  return ['connections', 'clients', ...(timed ? ['first seen', 'last seen'] : [])];
}

function counts(h: ObservedHost, timed: boolean): string[] {
  return [String(h.connections), String(h.clients), ...(timed ? [iso(h.firstSeen), iso(h.lastSeen)] : [])];
}

interface Row {
  readonly cells: readonly string[];
  /** Spaces before the first cell (hosts under a fold). */
  readonly indent: number;
}

/**
 * Plain aligned columns; counts (columns 2 and 3 after the name, when numeric) right-aligned.
 * Cells are escaped first so that widths are those of what is shown.
 */
function table(head: readonly string[], rows: readonly Row[], prefix: string): string[] {
  const shown = rows.map((r) => ({ cells: r.cells.map((c, i) => (i === 0 ? ' '.repeat(r.indent) : '') + escapeControls(c)), indent: r.indent }));
  const all = [head, ...shown.filter((r) => r.cells.length > 1).map((r) => r.cells)];
  const numeric = head.map((h) => h === 'connections' || h === 'clients' || h === 'port');
  const widths = head.map((_, i) => Math.max(...all.map((r) => (r[i] === undefined ? 0 : stringWidth(r[i]!)))));
  const line = (cells: readonly string[]): string => {
    // A fold's own row has only its name: it may run past the first column.
    if (cells.length === 1) return prefix + cells[0]!;
    return (prefix + cells.map((c, i) => {
      const pad = ' '.repeat(widths[i]! - stringWidth(c));
      return numeric[i] ? pad + c : i === cells.length - 1 ? c : c + pad;
    }).join('  ')).trimEnd();
  };
  return [line(head), ...shown.map((r) => line(r.cells))];
}
