/**
 * The one door to the HCL parser tests use: `@cdktf/hcl2json` runs HashiCorp's own HCL parser
 * (Go, as WebAssembly). Its parent project, CDKTF, is deprecated, so it stays a dev dependency
 * behind this module (STYLE.md). It is loaded with `require` so that its typings, which pull in
 * the DOM library, stay out of the project's type checking.
 */
import { createRequire } from 'node:module';

type Hcl2Json = { parse(filename: string, contents: string): Promise<Record<string, unknown>> };

const hcl2json = createRequire(import.meta.url)('@cdktf/hcl2json') as Hcl2Json;

/**
 * Parses Terraform (HCL) text into the JSON hcl2json gives: blocks by type and label, each
 * block a list of bodies; expressions as `${...}` strings, literals as JSON values. Rejects
 * with the parser's message when the text is not valid HCL.
 */
export function parseHcl(text: string, filename = 'main.tf'): Promise<Record<string, unknown>> {
  return hcl2json.parse(filename, text);
}
