import type { ImpactReport } from '../types.js';
import { groupText, hostsText, limitText, operationsText, routeConditions, targetText } from './format.js';

/** Tables longer than this are folded in a `<details>` block. */
const FOLD = 10;

/**
 * The markdown format, made for a pull-request comment: the change in words on the first line,
 * the risk, then a heading per gateway with a table per kind of change.
 */
export function impactMarkdown(report: ImpactReport): string {
  const out: string[] = [];
  out.push(`**gitgate**: ${report.summary}`);
  out.push('');
  out.push(`Risk: **${report.risk.level}**: ${report.risk.reason}. Compared \`${short(report.base)}\` → \`${short(report.head)}\`.`);
  for (const g of report.gateways) {
    out.push('', `## ${g.name} (APIGateway)`);
    const routes = [
      ...g.routes.added.map((r) => ['added', hostsText(r.hosts), r.pathPrefix, routeConditions(r), targetText(r)]),
      ...g.routes.removed.map((r) => ['removed', hostsText(r.hosts), r.pathPrefix, routeConditions(r), targetText(r)]),
      ...g.routes.changed.map((r) => ['changed', hostsText(r.hosts), r.pathPrefix, r.conditions.join(', '), `${targetText(r.before)} → ${targetText(r.after)}`]),
    ];
    table(out, 'Routes', ['CHANGE', 'HOSTS', 'PATH PREFIX', 'CONDITIONS', 'API'], routes);
    const access = [
      ...g.access.granted.map((a) => ['granted', groupText(a.group), a.api, operationsText(a.operations)]),
      ...g.access.revoked.map((a) => ['revoked', groupText(a.group), a.api, `${operationsText(a.operations)}${a.remaining === undefined ? '' : ` (keeps ${a.remaining.length === 0 ? 'nothing' : a.remaining.join(', ')})`}`]),
    ];
    table(out, 'Access', ['CHANGE', 'GROUP', 'API', 'OPERATIONS'], access);
    table(out, 'Rate limits', ['GROUP', 'API', 'BEFORE', 'AFTER'], g.rateLimits.map((r) => [groupText(r.group), r.api, limitText(r.before), limitText(r.after)]));
    const apis = [...g.apis.added.map((a) => ['added', a, '']), ...g.apis.removed.map((a) => ['removed', a, '']), ...g.apis.changed.map((a) => ['changed', a.api, a.changes.join(', ')])];
    table(out, 'APIs', ['CHANGE', 'API', 'WHAT CHANGED'], apis);
  }
  if (report.gateways.length === 0) out.push('', 'No gateway serves anything differently.');
  const lint = [
    ...report.lint.introduced.map((d) => ['introduced', d.severity, `${d.file}:${d.line}:${d.column}`, d.rule, d.message]),
    ...report.lint.fixed.map((d) => ['fixed', d.severity, `${d.file}:${d.line}:${d.column}`, d.rule, d.message]),
  ];
  if (lint.length > 0) {
    out.push('', '## Lint');
    table(out, undefined, ['CHANGE', 'SEVERITY', 'WHERE', 'RULE', 'MESSAGE'], lint);
  }
  if (report.contracts.length > 0) {
    out.push('', '## API contracts');
    table(out, undefined, ['API', 'BREAKING', 'OPERATION', 'CHANGE'], report.contracts.map((c) => [c.api, c.breaking ? 'yes' : 'no', c.operation ?? '', c.message]));
  }
  if (report.consumers !== null) {
    out.push('', '## Consumers');
    if (report.consumers.length === 0) out.push('', 'No consumer called what this change affects in the usage window.');
    table(
      out,
      undefined,
      ['CONSUMER', 'KEY', 'API', 'REQUESTS', 'REFUSED BY THE NEW LIMIT', 'WHY'],
      report.consumers.map((c) => [c.email, c.keyName, c.api, String(c.requests), c.refusedByNewLimit === undefined ? '' : String(c.refusedByNewLimit), c.reasons.join('; ')]),
    );
  }
  return `${out.join('\n')}\n`;
}

function table(out: string[], title: string | undefined, header: readonly string[], rows: readonly (readonly string[])[]): void {
  if (rows.length === 0) return;
  if (title !== undefined) out.push('', `### ${title}`);
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((row) => `| ${row.map(cell).join(' | ')} |`)];
  if (rows.length > FOLD) out.push('', `<details><summary>${rows.length} changes</summary>`, '', ...lines, '', '</details>');
  else out.push('', ...lines);
}

function cell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>');
}

function short(revision: string): string {
  return /^[0-9a-f]{40}$/.test(revision) ? revision.slice(0, 12) : revision;
}
