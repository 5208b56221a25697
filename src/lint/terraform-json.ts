/**
 * Terraform JSON syntax (`.tf.json`): `{"resource": {TYPE: {NAME: {ATTRIBUTE: ...}}}}`, where
 * a block may also be given as an array of objects. Every string is a template (`${...}`).
 */
import { jsonDashboard, notLiteral } from './dashboard.js';
import { decodeJsonString, elements, type JsonNode, members, parseJson, unparseableJson } from './json.js';
import { markTemplates } from './interpolation.js';
import { TERRAFORM_ATTRIBUTES } from './terraform.js';
import type { Extraction, LintTarget, LintDiagnostic } from './target.js';

export function terraformJsonTargets(source: string): Extraction {
  const { root, error } = parseJson(source);
  if (error || root?.type !== 'object') return unparseableJson(error, 'Terraform JSON');
  const targets: LintTarget[] = [];
  const diagnostics: LintDiagnostic[] = [];
  for (const [key, resources] of members(root)) {
    if (key !== 'resource') continue;
    for (const byType of objects(resources)) {
      for (const [type, byName] of members(byType)) {
        const spec = TERRAFORM_ATTRIBUTES.get(type);
        if (!spec) continue;
        for (const named of objects(byName)) {
          for (const [name, bodies] of members(named)) {
            for (const body of objects(bodies)) {
              for (const [attribute, node] of members(body)) {
                if (attribute !== spec.attribute) continue;
                const where = `${type}.${name}.${attribute}`;
                if (node.type !== 'string') {
                  diagnostics.push(notLiteral(where, { start: node.offset, end: node.offset + node.length }));
                  continue;
                }
                const value = markTemplates(decodeJsonString(node, source), 'terraform');
                if (spec.kind === 'dashboard') {
                  const found = jsonDashboard(value, where);
                  targets.push(...found.targets);
                  diagnostics.push(...found.diagnostics);
                } else targets.push({ kind: spec.kind, where, value });
              }
            }
          }
        }
      }
    }
  }
  return { targets, diagnostics };
}

/** A block given as an object or as an array of objects. */
function objects(node: JsonNode): JsonNode[] {
  return node.type === 'array' ? elements(node).filter((n) => n.type === 'object') : node.type === 'object' ? [node] : [];
}
