/**
 * One allowlist, any of its outputs: what `haystack allowlist --output` writes and what the web
 * console downloads, from one function, so the two are byte-identical for the same choices.
 */
import type { Allowlist } from './allowlist.js';
import { emitAwsCli } from './emit-aws-cli.js';
import { emitCloudFormation } from './emit-cloudformation.js';
import { emitJson } from './emit-json.js';
import { type EmitOptions, emitTerraform } from './emit-terraform.js';
import { emitText } from './emit-text.js';

export const ALLOWLIST_OUTPUTS = ['text', 'terraform', 'cloudformation', 'aws-cli', 'json'] as const;
export type AllowlistOutput = (typeof ALLOWLIST_OUTPUTS)[number];

export function emitAllowlist(a: Allowlist, output: AllowlistOutput, emit: EmitOptions): string {
  switch (output) {
    case 'text':
      return emitText(a);
    case 'terraform':
      return emitTerraform(a, emit);
    case 'cloudformation':
      return emitCloudFormation(a, emit);
    case 'aws-cli':
      return emitAwsCli(a);
    case 'json':
      return emitJson(a, emit);
    default: {
      const never: never = output;
      throw new Error(`unknown output ${String(never)}`);
    }
  }
}
