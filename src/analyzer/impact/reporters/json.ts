import type { ImpactReport } from '../types.js';

/** The JSON format: the keys in the documented order (docs/impact.md), then the extras. */
export function impactJson(report: ImpactReport): string {
  const ordered = {
    base: report.base,
    head: report.head,
    gateways: report.gateways.map((g) => ({
      name: g.name,
      routes: { added: g.routes.added, removed: g.routes.removed, changed: g.routes.changed },
      access: {
        granted: g.access.granted.map((a) => ({ group: a.group, api: a.api, operations: a.operations })),
        revoked: g.access.revoked.map((a) => ({ group: a.group, api: a.api, operations: a.operations, ...(a.remaining === undefined ? {} : { remaining: a.remaining }) })),
      },
      rateLimits: g.rateLimits.map((r) => ({ group: r.group, api: r.api, before: r.before, after: r.after })),
      apis: { added: g.apis.added, removed: g.apis.removed, changed: g.apis.changed },
    })),
    lint: { introduced: report.lint.introduced, fixed: report.lint.fixed },
    consumers: report.consumers,
    risk: report.risk,
    summary: report.summary,
    contracts: report.contracts,
  };
  return `${JSON.stringify(ordered, null, 2)}\n`;
}
