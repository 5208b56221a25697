/**
 * The tldts release whose PSL snapshot haystack judges with; `--version` names it (spec D4.7).
 * Apart from psl.ts so that reading it does not load tldts itself.
 */
import { createRequire } from 'node:module';

export const TLDTS_VERSION: string = (createRequire(import.meta.url)('tldts/package.json') as { version: string }).version;
