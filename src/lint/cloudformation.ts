/**
 * CloudFormation templates, YAML or JSON: `AWS::Logs::MetricFilter` and
 * `AWS::Logs::SubscriptionFilter` `FilterPattern`, `AWS::Logs::QueryDefinition` `QueryString`,
 * and the log widgets of `AWS::CloudWatch::Dashboard` `DashboardBody`. A value is checked when
 * it is a literal string or `Fn::Sub` of one (its `${...}` parts are not checked); any other
 * intrinsic function (`!Join`, `!Ref`, `!If`...) is reported as not checked.
 *
 * YAML goes through the `yaml` package, with CloudFormation's short-form tags declared as
 * custom tags so that they parse without warnings and stay on their nodes.
 */
import { isMap, isScalar, isSeq, type Node as YamlNode, parseDocument, type Scalar, type ScalarTag, type CollectionTag } from 'yaml';
import type { Span } from '../diagnostics/diagnostic.js';
import { LintCode } from './codes.js';
import { jsonDashboard, notLiteral } from './dashboard.js';
import { markTemplates } from './interpolation.js';
import { decodeJsonString, type JsonNode, member, members, parseJson, unparseableJson } from './json.js';
import type { MappedText } from './mapped-text.js';
import type { Extraction, LintDiagnostic, LintTarget, TargetKind } from './target.js';
import { decodeYamlScalar } from './yaml-scalars.js';

/** Resource type -> the property that holds a pattern, a query or a dashboard body. */
const PROPERTIES: ReadonlyMap<string, { readonly property: string; readonly kind: TargetKind | 'dashboard' }> = new Map([
  ['AWS::Logs::MetricFilter', { property: 'FilterPattern', kind: 'pattern' }],
  ['AWS::Logs::SubscriptionFilter', { property: 'FilterPattern', kind: 'pattern' }],
  ['AWS::Logs::QueryDefinition', { property: 'QueryString', kind: 'query' }],
  ['AWS::CloudWatch::Dashboard', { property: 'DashboardBody', kind: 'dashboard' }],
]);

/** The short forms of CloudFormation's intrinsic functions (CloudFormation User Guide, "Intrinsic function reference"). */
const INTRINSICS = ['Base64', 'Cidr', 'FindInMap', 'GetAtt', 'GetAZs', 'ImportValue', 'Join', 'Select', 'Split', 'Sub', 'Transform', 'Ref', 'And', 'Equals', 'If', 'Not', 'Or', 'Condition', 'ToJsonString', 'Length'];

const CUSTOM_TAGS: (ScalarTag | CollectionTag)[] = INTRINSICS.flatMap((name) => {
  const tag = `!${name}`;
  return [
    { tag, identify: () => false, resolve: (s: string) => s },
    { tag, collection: 'seq' as const, identify: () => false },
    { tag, collection: 'map' as const, identify: () => false },
  ] as (ScalarTag | CollectionTag)[];
});

/** Cheap test before parsing: only templates that name one of the resource types are read. */
export function mentionsCloudFormation(text: string): boolean {
  for (const type of PROPERTIES.keys()) if (text.includes(type)) return true;
  return false;
}

/** A value found: text to check, or the place of an expression that is not checked. */
type Found = MappedText | Span;

function collect(type: string, name: string, value: Found | undefined, targets: LintTarget[], diagnostics: LintDiagnostic[]): void {
  const spec = PROPERTIES.get(type);
  if (!spec || value === undefined) return;
  const where = `Resources.${name}.Properties.${spec.property}`;
  if (!('text' in value)) diagnostics.push(notLiteral(where, value));
  else if (spec.kind === 'dashboard') {
    const found = jsonDashboard(value, where);
    targets.push(...found.targets);
    diagnostics.push(...found.diagnostics);
  } else targets.push({ kind: spec.kind, where, value });
}

export function cloudFormationYamlTargets(source: string): Extraction {
  const doc = parseDocument(source, { keepSourceTokens: true, customTags: CUSTOM_TAGS, uniqueKeys: false, prettyErrors: false });
  const error = doc.errors[0];
  if (error) {
    const [start, end] = error.pos;
    return { targets: [], diagnostics: [{ code: LintCode.Unparseable, severity: 'error', message: `this is not valid YAML: ${error.message.split('\n')[0]}`, span: { start, end: Math.max(end, start + 1) } }] };
  }
  const targets: LintTarget[] = [];
  const diagnostics: LintDiagnostic[] = [];
  const resources = isMap(doc.contents) ? doc.contents.get('Resources', true) : undefined;
  if (!isMap(resources)) return { targets, diagnostics };
  for (const pair of resources.items) {
    const name = isScalar(pair.key) ? String(pair.key.value) : '?';
    const resource = pair.value;
    if (!isMap(resource)) continue;
    const type = resource.get('Type');
    const properties = resource.get('Properties', true);
    const spec = typeof type === 'string' ? PROPERTIES.get(type) : undefined;
    if (!spec || !isMap(properties)) continue;
    const node = properties.get(spec.property, true) as YamlNode | undefined;
    collect(type as string, name, node === undefined ? undefined : yamlValue(node, source), targets, diagnostics);
  }
  return { targets, diagnostics };
}

function yamlValue(node: YamlNode, source: string): Found {
  const range = node.range ?? [0, 0];
  // A node's range starts after its tag: the place of `!Join [...]` includes `!Join`.
  const tagAt = node.tag?.startsWith('!') ? source.lastIndexOf(node.tag, range[0]) : -1;
  const start = tagAt !== -1 && source.slice(tagAt + node.tag!.length, range[0]).trim() === '' ? tagAt : range[0];
  const whole: Span = { start, end: range[1] };
  if (isScalar(node) && (node.tag === undefined || node.tag === '!Sub' || node.tag === 'tag:yaml.org,2002:str') && typeof node.value === 'string') {
    const value = decodeYamlScalar(node as Scalar<string>, source);
    return node.tag === '!Sub' ? markTemplates(value, 'sub') : value;
  }
  // !Sub [text, {vars}] and Fn::Sub: text or [text, vars]
  const sub = node.tag === '!Sub' && isSeq(node) ? node.items[0] : isMap(node) && node.items.length === 1 ? node.get('Fn::Sub', true) : undefined;
  const text = isSeq(sub) ? sub.items[0] : sub;
  if (isScalar(text) && typeof text.value === 'string' && text.tag === undefined) return markTemplates(decodeYamlScalar(text as Scalar<string>, source), 'sub');
  return whole;
}

export function cloudFormationJsonTargets(source: string): Extraction {
  const { root, error } = parseJson(source);
  if (error || root?.type !== 'object') return unparseableJson(error, 'JSON');
  const targets: LintTarget[] = [];
  const diagnostics: LintDiagnostic[] = [];
  for (const [name, resource] of members(member(root, 'Resources'))) {
    const type = member(resource, 'Type')?.value;
    const spec = typeof type === 'string' ? PROPERTIES.get(type) : undefined;
    if (!spec) continue;
    const node = member(member(resource, 'Properties'), spec.property);
    collect(type as string, name, node === undefined ? undefined : jsonValue(node, source), targets, diagnostics);
  }
  return { targets, diagnostics };
}

function jsonValue(node: JsonNode, source: string): Found {
  if (node.type === 'string') return decodeJsonString(node, source);
  const sub = node.type === 'object' && node.children?.length === 1 ? member(node, 'Fn::Sub') : undefined;
  const text = sub?.type === 'array' ? sub.children?.[0] : sub;
  if (text?.type === 'string') return markTemplates(decodeJsonString(text, source), 'sub');
  return { start: node.offset, end: node.offset + node.length };
}
