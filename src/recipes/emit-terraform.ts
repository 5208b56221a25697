/**
 * The allowlist as Terraform: one `aws_vpc_security_group_egress_rule` per rule (AWS provider
 * v5+), in the group named by --target-gid or, without it, by a `security_group_id` variable.
 */
import { type Allowlist, type AllowRule, headerComment, ruleCommentLines } from './allowlist.js';

export interface EmitOptions {
  /** The group the rules are written for; without it a placeholder (variable, parameter). */
  readonly targetGid?: string;
}

export const TERRAFORM_VARIABLE = 'security_group_id';

export function emitTerraform(a: Allowlist, options: EmitOptions = {}): string {
  const out: string[] = headerComment(a).map((l) => (l === '' ? '#' : `# ${l}`));
  if (a.rules.length === 0) return `${out.join('\n')}\n`;
  const group = options.targetGid === undefined ? `var.${TERRAFORM_VARIABLE}` : hclString(options.targetGid);
  if (options.targetGid === undefined) {
    out.push(
      '',
      `variable "${TERRAFORM_VARIABLE}" {`,
      `  description = ${hclString('The security group the discrimiNAT allowlist rules go in')}`,
      '  type        = string',
      '}',
    );
  }
  for (const r of a.rules) {
    out.push('', ...ruleCommentLines(r).map((l) => `# ${l}`), `resource "aws_vpc_security_group_egress_rule" "${resourceName(r)}" {`);
    out.push(...attributes([
      ['security_group_id', group],
      ['description', hclString(r.description)],
      ['ip_protocol', hclString('tcp')],
      ['from_port', String(r.port)],
      ['to_port', String(r.port)],
      ['cidr_ipv4', hclString(r.cidr)],
    ]));
    out.push('}');
  }
  return `${out.join('\n')}\n`;
}

/** `tls_443_1`: a Terraform name (letters, digits, `_`; starts with a letter). */
export function resourceName(r: AllowRule): string {
  return `${r.protocol}_${r.port}_${r.index}`;
}

/** Aligned as `terraform fmt` aligns consecutive attributes. */
function attributes(pairs: readonly (readonly [string, string])[]): string[] {
  const w = Math.max(...pairs.map(([k]) => k.length));
  return pairs.map(([k, v]) => `  ${k.padEnd(w)} = ${v}`);
}

/**
 * A quoted HCL string: `"` and `\` escaped, control characters as `\uXXXX`, and `${` / `%{`
 * doubled so that nothing is read as an interpolation or a template directive.
 */
export function hclString(s: string): string {
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || c === 0x7f) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `"${out.replace(/\$\{/g, '$${').replace(/%\{/g, '%%{')}"`;
}
