import { rateOf } from './config-diff.js';
import type { ImpactReport, RiskLevel } from './types.js';

type Parts = Pick<ImpactReport, 'gateways' | 'lint' | 'consumers' | 'contracts'>;

/** What the change does, counted, for the summary line, the risk and `--fail-on`. */
export interface ImpactCounts {
  readonly routesAdded: number;
  readonly routesRemoved: number;
  readonly routesChanged: number;
  readonly accessGranted: number;
  readonly accessRevoked: number;
  readonly limitsDecreased: number;
  readonly limitsIncreased: number;
  readonly apisAdded: number;
  readonly apisRemoved: number;
  readonly apisChanged: number;
  readonly lintErrorsIntroduced: number;
  readonly lintWarningsIntroduced: number;
  readonly lintFixed: number;
  readonly breakingContracts: number;
  readonly affectedConsumers: number;
}

export function countImpact(report: Parts): ImpactCounts {
  let limitsDecreased = 0;
  let limitsIncreased = 0;
  const sum = (pick: (g: ImpactReport['gateways'][number]) => number) => report.gateways.reduce((n, g) => n + pick(g), 0);
  for (const g of report.gateways) {
    for (const change of g.rateLimits) {
      if (rateOf(change.after) < rateOf(change.before)) limitsDecreased++;
      else limitsIncreased++;
    }
  }
  return {
    routesAdded: sum((g) => g.routes.added.length),
    routesRemoved: sum((g) => g.routes.removed.length),
    routesChanged: sum((g) => g.routes.changed.length),
    accessGranted: sum((g) => g.access.granted.length),
    accessRevoked: sum((g) => g.access.revoked.length),
    limitsDecreased,
    limitsIncreased,
    apisAdded: sum((g) => g.apis.added.length),
    apisRemoved: sum((g) => g.apis.removed.length),
    apisChanged: sum((g) => g.apis.changed.length),
    lintErrorsIntroduced: report.lint.introduced.filter((d) => d.severity === 'error').length,
    lintWarningsIntroduced: report.lint.introduced.filter((d) => d.severity === 'warning').length,
    lintFixed: report.lint.fixed.length,
    breakingContracts: report.contracts.filter((c) => c.breaking).length,
    affectedConsumers: new Set((report.consumers ?? []).map((c) => `${c.email}\0${c.keyName}`)).size,
  };
}

/** High: traffic that works today would fail; medium: it may be slowed or behave differently. */
export function assessRisk(counts: ImpactCounts, hasUsage: boolean): { level: RiskLevel; reason: string } {
  const high: string[] = [];
  if (counts.lintErrorsIntroduced > 0) high.push(`${plural(counts.lintErrorsIntroduced, 'lint error')} introduced (the revision would not be applied)`);
  if (counts.accessRevoked > 0) high.push(`${plural(counts.accessRevoked, 'access')} revoked`);
  if (counts.routesRemoved > 0) high.push(`${plural(counts.routesRemoved, 'route')} removed`);
  if (counts.apisRemoved > 0) high.push(`${plural(counts.apisRemoved, 'API')} removed`);
  if (counts.breakingContracts > 0) high.push(`${plural(counts.breakingContracts, 'breaking contract change')}`);
  const consumers = hasUsage && counts.affectedConsumers > 0 ? `; ${plural(counts.affectedConsumers, 'consumer key')} called what changes` : '';
  if (high.length > 0) return { level: 'high', reason: `${high.join(', ')}${consumers}` };
  const medium: string[] = [];
  if (counts.limitsDecreased > 0) medium.push(`${plural(counts.limitsDecreased, 'rate limit')} decreased`);
  if (counts.routesChanged > 0) medium.push(`${plural(counts.routesChanged, 'route')} now served by another API or version`);
  if (counts.apisChanged > 0) medium.push(`${plural(counts.apisChanged, 'API')} changed`);
  if (medium.length > 0) return { level: 'medium', reason: `${medium.join(', ')}${consumers}` };
  const added = counts.routesAdded + counts.accessGranted + counts.apisAdded + counts.limitsIncreased;
  return { level: 'low', reason: added > 0 ? 'only additions: routes, access or higher limits' : 'no change to what is served' };
}

/** The change in words, for the first line of the report. */
export function summarize(counts: ImpactCounts): string {
  const parts: string[] = [];
  if (counts.apisAdded) parts.push(`adds ${plural(counts.apisAdded, 'API')}`);
  if (counts.apisRemoved) parts.push(`removes ${plural(counts.apisRemoved, 'API')}`);
  if (counts.routesAdded) parts.push(`adds ${plural(counts.routesAdded, 'route')}`);
  if (counts.routesRemoved) parts.push(`removes ${plural(counts.routesRemoved, 'route')}`);
  if (counts.routesChanged) parts.push(`reroutes ${plural(counts.routesChanged, 'path')}`);
  if (counts.accessGranted) parts.push(`grants ${plural(counts.accessGranted, 'access')}`);
  if (counts.accessRevoked) parts.push(`revokes ${plural(counts.accessRevoked, 'access')}`);
  if (counts.limitsDecreased) parts.push(`lowers ${plural(counts.limitsDecreased, 'rate limit')}`);
  if (counts.limitsIncreased) parts.push(`raises ${plural(counts.limitsIncreased, 'rate limit')}`);
  if (counts.apisChanged) parts.push(`changes ${plural(counts.apisChanged, 'API')}`);
  if (counts.breakingContracts) parts.push(`breaks ${plural(counts.breakingContracts, 'API contract')}`);
  if (counts.lintErrorsIntroduced) parts.push(`introduces ${plural(counts.lintErrorsIntroduced, 'lint error')}`);
  if (counts.lintFixed) parts.push(`fixes ${plural(counts.lintFixed, 'lint finding')}`);
  if (parts.length === 0) return 'This change does not change what the gateways serve.';
  const text = parts.length === 1 ? parts[0]! : `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]!}`;
  return `This change ${text}.`;
}

function plural(n: number, noun: string): string {
  const irregular: Record<string, string> = { access: 'accesses' };
  return `${n} ${n === 1 ? noun : (irregular[noun] ?? `${noun}s`)}`;
}
