/**
 * The public-suffix safeguard of `wildcard_exposure: prohibit_public_suffix` (spec D4.7), on
 * Mozilla's Public Suffix List as bundled by tldts, private section included (the docs' own
 * examples `github.io` and `cloudflare.net` are private-section entries).
 */
import { getPublicSuffix } from 'tldts';

export { TLDTS_VERSION } from './psl-version.js';

/**
 * Options for tldts. `allowPrivateDomains` is the spec's (D4.7). `validateHostname: false` is
 * ours: tldts otherwise answers null for labels the addr grammar allows but RFC 1123 does not
 * (`a-`, D9 #39), and null would read as "not a suffix", breaking the rule that every single
 * label is a suffix (the PSL's implicit `*` rule). For every tail tldts validates, the answer
 * is the same either way.
 */
const PSL_OPTIONS = { allowPrivateDomains: true, validateHostname: false } as const;

/** Is `name` (lower-case, no trailing dot) itself a public suffix? */
export function isPublicSuffix(name: string): boolean {
  return name !== '' && getPublicSuffix(name, PSL_OPTIONS) === name;
}

/**
 * Spec D4.7 steps 1-2 (D9 #18; the D9 table's `pslCheck`). `addr` is normalised.
 *
 * 1. The tail is the labels right of the rightmost label holding `*`. If a label of that tail
 *    holds `?`, the tail shrinks to the labels right of the rightmost such label (INFERRED, D9
 *    #18: `?` can produce a registrable label too, so only the fixed part is judged:
 *    `*.git?ub.io` is judged on `io`).
 * 2. The tail is a public suffix when it is empty or tldts names it as its own suffix.
 *
 * Without any `*` (not a case the firewall checks: `?`-only addrs skip the PSL check) the same
 * cut is applied at the rightmost `?` label, or the whole addr is the tail.
 */
export function publicSuffixTail(addr: string): { tail: string; isPublicSuffix: boolean } {
  const labels = addr.split('.');
  let cut = -1;
  for (let i = labels.length - 1; i >= 0; i--) {
    if (labels[i].includes('*')) {
      cut = i;
      break;
    }
  }
  for (let i = labels.length - 1; i > cut; i--) {
    if (labels[i].includes('?')) {
      cut = i;
      break;
    }
  }
  const tail = labels.slice(cut + 1).join('.');
  return { tail, isPublicSuffix: tail === '' || isPublicSuffix(tail) };
}
