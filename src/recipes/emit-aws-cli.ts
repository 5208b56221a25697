/**
 * The allowlist as the `--ip-permissions` JSON of `aws ec2 authorize-security-group-egress`:
 * one IpPermission per TCP port, each rule of the port one of its IpRanges (distinct CIDRs,
 * spec D4.5). The group is named on the command line, so this output holds none:
 *
 *   aws ec2 authorize-security-group-egress --group-id sg-... --ip-permissions file://rules.json
 */
import type { Allowlist } from './allowlist.js';

export interface IpPermission {
  readonly IpProtocol: 'tcp';
  readonly FromPort: number;
  readonly ToPort: number;
  readonly IpRanges: readonly { readonly CidrIp: string; readonly Description: string }[];
}

export function ipPermissions(a: Allowlist): IpPermission[] {
  const byPort = new Map<number, { CidrIp: string; Description: string }[]>();
  for (const r of a.rules) {
    let ranges = byPort.get(r.port);
    if (ranges === undefined) byPort.set(r.port, (ranges = []));
    ranges.push({ CidrIp: r.cidr, Description: r.description });
  }
  return [...byPort].map(([port, ranges]) => ({ IpProtocol: 'tcp', FromPort: port, ToPort: port, IpRanges: ranges }));
}

export function emitAwsCli(a: Allowlist): string {
  return `${JSON.stringify(ipPermissions(a), null, 2)}\n`;
}
