import type { ImpactReport } from '../types.js';
import { groupText, hostsText, limitText, operationsText, routeConditions, targetText } from './format.js';

/** The text format: one line per change, for a terminal. */
export function impactText(report: ImpactReport): string {
  const out: string[] = [report.summary, `risk: ${report.risk.level} (${report.risk.reason})`, `base ${report.base}, head ${report.head}`];
  for (const g of report.gateways) {
    out.push('', `gateway ${g.name}:`);
    const when = (conditions: string) => (conditions === '' ? '' : ` when ${conditions}`);
    for (const r of g.routes.added) out.push(`  + route ${r.pathPrefix}${when(routeConditions(r))} on ${hostsText(r.hosts)} → ${targetText(r)}`);
    for (const r of g.routes.removed) out.push(`  - route ${r.pathPrefix}${when(routeConditions(r))} on ${hostsText(r.hosts)} → ${targetText(r)}`);
    for (const r of g.routes.changed) out.push(`  ~ route ${r.pathPrefix}${when(r.conditions.join(', '))}: ${targetText(r.before)} → ${targetText(r.after)}`);
    for (const a of g.access.granted) out.push(`  + access ${groupText(a.group)} on ${a.api}: ${operationsText(a.operations)}`);
    for (const a of g.access.revoked) out.push(`  - access ${groupText(a.group)} on ${a.api}: ${operationsText(a.operations)}`);
    for (const r of g.rateLimits) out.push(`  ~ rate limit ${groupText(r.group)} on ${r.api}: ${limitText(r.before)} → ${limitText(r.after)}`);
    for (const a of g.apis.added) out.push(`  + API ${a}`);
    for (const a of g.apis.removed) out.push(`  - API ${a}`);
    for (const a of g.apis.changed) out.push(`  ~ API ${a.api}: ${a.changes.join(', ')}`);
  }
  for (const d of report.lint.introduced) out.push(`lint introduced: ${d.file}:${d.line}:${d.column}: ${d.severity}: ${d.message} [${d.rule}]`);
  for (const d of report.lint.fixed) out.push(`lint fixed: ${d.file}:${d.line}:${d.column}: ${d.severity}: ${d.message} [${d.rule}]`);
  for (const c of report.contracts) out.push(`contract ${c.breaking ? 'breaking' : 'change'}: ${c.api} ${c.operation ?? ''} ${c.message}`.replace(/ +/g, ' '));
  for (const c of report.consumers ?? []) {
    out.push(`consumer ${c.email} (${c.keyName}) on ${c.api}: ${c.requests} requests${c.refusedByNewLimit === undefined ? '' : `, ${c.refusedByNewLimit} refused by the new limit`} (${c.reasons.join('; ')})`);
  }
  return `${out.join('\n')}\n`;
}
