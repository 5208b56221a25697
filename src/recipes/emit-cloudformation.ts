/**
 * The allowlist as a CloudFormation template (YAML): one `AWS::EC2::SecurityGroupEgress` per
 * rule, in the group named by --target-gid or, without it, by a `SecurityGroupId` parameter.
 */
import { Document, isMap, isScalar, Scalar } from 'yaml';
import { type Allowlist, type AllowRule, headerComment, ruleCommentLines } from './allowlist.js';
import type { EmitOptions } from './emit-terraform.js';

export const CLOUDFORMATION_PARAMETER = 'SecurityGroupId';

export function emitCloudFormation(a: Allowlist, options: EmitOptions = {}): string {
  const header = headerComment(a).map((l) => (l === '' ? '' : ` ${l}`)).join('\n');
  if (a.rules.length === 0) return `${header.split('\n').map((l) => `#${l}`).join('\n')}\n`;
  const group = options.targetGid ?? refTo(CLOUDFORMATION_PARAMETER);
  const resources: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const r of a.rules) {
    resources[logicalId(r)] = {
      Type: 'AWS::EC2::SecurityGroupEgress',
      Properties: { GroupId: group, IpProtocol: 'tcp', FromPort: r.port, ToPort: r.port, CidrIp: r.cidr, Description: r.description },
    };
  }
  const doc = new Document({
    AWSTemplateFormatVersion: '2010-09-09',
    Description: `discrimiNAT allowlist rules for what the see-thru of ${a.gid} let through (haystack allowlist)`,
    ...(options.targetGid === undefined
      ? { Parameters: { [CLOUDFORMATION_PARAMETER]: { Type: 'AWS::EC2::SecurityGroup::Id', Description: 'The security group the discrimiNAT allowlist rules go in' } } }
      : {}),
    Resources: resources,
  });
  // Quoted, as AWS writes it: a YAML 1.1 reader would take the bare date for a timestamp.
  const version = doc.get('AWSTemplateFormatVersion', true);
  if (isScalar(version)) version.type = 'QUOTE_DOUBLE';
  const resourceMap = doc.get('Resources', true);
  if (!isMap(resourceMap)) throw new Error('emitCloudFormation: Resources is not a map');
  resourceMap.items.forEach((pair, i) => {
    (pair.key as Scalar).commentBefore = ruleCommentLines(a.rules[i]!).map((l) => ` ${l}`).join('\n');
  });
  doc.commentBefore = header;
  // lineWidth 0: a description stays on one line, as the rule will hold it.
  return doc.toString({ lineWidth: 0 });
}

/** `Tls443Rule1`: CloudFormation logical ids are alphanumeric. */
export function logicalId(r: AllowRule): string {
  return `${r.protocol[0]!.toUpperCase()}${r.protocol.slice(1)}${r.port}Rule${r.index}`;
}

/** `!Ref Name`, the short form CloudFormation authors write. */
function refTo(name: string): Scalar {
  const s = new Scalar(name);
  s.tag = '!Ref';
  return s;
}
