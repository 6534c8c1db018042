import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { SourceInput } from '../../model/index.js';
import type { UsageData } from './consumers.js';
import { computeImpact, type ImpactSide } from './impact.js';
import { impactJson } from './reporters/json.js';
import { impactMarkdown } from './reporters/markdown.js';
import { impactText } from './reporters/text.js';
import type { GatewayImpact, ImpactReport, RateLimitChange } from './types.js';

// The impact reports (`gitgate diff --format markdown|text|json`) of real changes to the airlines
// example, pinned by golden files in test/golden/impact/ (rewritten with UPDATE_GOLDEN=1 by
// scripts/update-golden.sh; review the diff before committing), plus what the markdown format
// promises a pull-request comment: the change in words on the first line, a heading per
// gateway, a table per kind of change, and long tables folded.

const UPDATE = process.env.UPDATE_GOLDEN === '1';
const GOLDEN_DIR = new URL('../../../test/golden/impact/', import.meta.url);
const AIRLINES = fileURLToPath(new URL('../../../examples/airlines/', import.meta.url));
const BASE = '0123456789abcdef0123456789abcdef01234567';
const HEAD = 'fedcba9876543210fedcba9876543210fedcba98';

/** The airlines example as in-memory inputs, paths relative to the example (as `--path` gives them). */
function airlines(): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (relative: string) => {
    for (const entry of readdirSync(path.join(AIRLINES, relative), { withFileTypes: true })) {
      const child = relative === '' ? entry.name : `${relative}/${entry.name}`;
      if (entry.isDirectory()) walk(child);
      else if (/\.ya?ml$/.test(entry.name)) files.set(child, readFileSync(path.join(AIRLINES, child), 'utf8'));
    }
  };
  walk('');
  return files;
}

function edit(files: Map<string, string>, file: string, from: string, to: string): Map<string, string> {
  const text = files.get(file);
  if (text === undefined || text.split(from).length !== 2) throw new Error(`${file}: expected exactly one ${JSON.stringify(from)}`);
  return new Map(files).set(file, text.replace(from, to));
}

function side(label: string, files: Map<string, string>): ImpactSide {
  const inputs: SourceInput[] = [...files].sort(([a], [b]) => (a < b ? -1 : 1)).map(([p, content]) => ({ path: p, content }));
  return { label, inputs, problems: [] };
}

const T0 = 1_800_000_000;

/** Usage as the control plane would serve it: three consumers, per hour and per second. */
const USAGE: UsageData = {
  hourly: [
    { api: 'apps/employee-api', operation: '*', email: 'ada@airlines.example', keyName: 'crm-laptop', requests: 42 },
    { api: 'apps/customer-api', operation: '*', email: 'ada@airlines.example', keyName: 'crm-laptop', requests: 7 },
    { api: 'apps/world-time-api', operation: '*', email: 'bob@partner.example', keyName: 'ci', requests: 120 },
    { api: 'apps/flight-api', operation: 'read-only', email: 'bob@partner.example', keyName: 'ci', requests: 5 },
  ],
  seconds: [
    ...[0, 1, 2, 30, 31].map((offset) => ({ api: 'apps/employee-api', email: 'ada@airlines.example', keyName: 'crm-laptop', second: T0 + offset, requests: offset < 3 ? 10 : 6 })),
    { api: 'apps/customer-api', email: 'ada@airlines.example', keyName: 'crm-laptop', second: T0, requests: 7 },
  ],
};

interface Scenario {
  readonly name: string;
  readonly what: string;
  readonly report: () => ImpactReport;
}

function impact(before: Map<string, string>, after: Map<string, string>, usage?: UsageData, head = HEAD): ImpactReport {
  return computeImpact(side(BASE, before), side(head, after), usage === undefined ? {} : { usage }).report;
}

const SCENARIOS: readonly Scenario[] = [
  {
    name: 'rate-limit-period',
    what: 'only the period of the anyGroups fallback limit changes (1m → 2m)',
    report: () => impact(airlines(), edit(airlines(), 'apps/api-rate-limit.yaml', 'limit: 100\n  period: 1m', 'limit: 100\n  period: 2m')),
  },
  {
    name: 'access-removed',
    what: 'the crm-all APIAccess leaves the gateway: access revoked, /crm routes removed',
    report: () => impact(airlines(), edit(airlines(), 'apps/api-gateway.yaml', '    - crm-all\n', '')),
  },
  {
    name: 'everything-added',
    what: 'from an empty repository to the airlines example: every table is long and folded',
    report: () => impact(new Map(), airlines()),
  },
  {
    name: 'broken-reference',
    what: 'partner-bookings names an API that does not exist: lint errors introduced',
    report: () => impact(airlines(), edit(airlines(), 'apps/api-access.yaml', '- name: flight-api', '- name: flight-apj')),
  },
  {
    name: 'version-added',
    what: 'customer-api gains a version chosen by a header and a query parameter (with a | to escape)',
    report: () =>
      impact(
        airlines(),
        edit(
          airlines(),
          'apps/customers/api.yaml',
          'apiVersion: hub.traefik.io/v1alpha1\nkind: APIVersion\nmetadata:\n  name: v4\n',
          'apiVersion: hub.traefik.io/v1alpha1\nkind: APIVersion\nmetadata:\n  name: v5\n  namespace: apps\nspec:\n  apiName: customer-api\n  release: 5.0.0\n  routes:\n    - headers:\n        Version: "5"\n      queryParams:\n        v: "5|6"\n  service:\n    name: customer-app-v4\n    port:\n      number: 3000\n---\napiVersion: hub.traefik.io/v1alpha1\nkind: APIVersion\nmetadata:\n  name: v4\n',
        ),
        undefined,
        'working tree',
      ),
  },
  {
    name: 'consumers',
    what: 'with usage: the crm-user limit goes down (5/10s → 2/1m) and public-time is revoked',
    report: () => {
      let after = edit(airlines(), 'apps/api-rate-limit.yaml', 'limit: 5\n  period: 10s', 'limit: 2\n  period: 1m');
      after = edit(after, 'apps/api-gateway.yaml', '    - public-time\n', '');
      return impact(airlines(), after, USAGE);
    },
  },
  {
    name: 'no-change',
    what: 'two identical revisions, with usage: nothing served differently, no consumer affected',
    report: () => impact(airlines(), airlines(), USAGE),
  },
];

const FORMATS = { md: impactMarkdown, txt: impactText } as const;

function golden(name: string, actual: string): void {
  const url = new URL(name, GOLDEN_DIR);
  if (UPDATE) {
    mkdirSync(GOLDEN_DIR, { recursive: true });
    writeFileSync(url, actual);
    return;
  }
  expect(actual, `${name} differs from its golden file; run scripts/update-golden.sh and review the diff`).toBe(readFileSync(url, 'utf8'));
}

describe.each(SCENARIOS)('impact report: $name ($what)', ({ name, report }) => {
  const r = report();

  it.each(Object.entries(FORMATS))('%s matches its golden file', (ext, format) => {
    golden(`${name}.${ext}`, format(r));
  });

  it('markdown: the first line says what the change does, in words; then the risk', () => {
    const lines = impactMarkdown(r).split('\n');
    expect(lines[0]).toBe(`**gitgate**: ${r.summary}`);
    expect(lines[0]).toMatch(/^\*\*gitgate\*\*: This change [^\n]+\.$/);
    expect(lines[1]).toBe('');
    expect(lines[2]).toMatch(new RegExp(`^Risk: \\*\\*${r.risk.level}\\*\\*: `));
  });

  it('markdown: one `## <name> (APIGateway)` heading per gateway that changes, in the report’s order', () => {
    const headings = impactMarkdown(r)
      .split('\n')
      .filter((l) => l.startsWith('## ') && l.endsWith('(APIGateway)'));
    expect(headings).toEqual(r.gateways.map((g) => `## ${g.name} (APIGateway)`));
  });

  it('text: the summary, the risk and the revisions first', () => {
    const lines = impactText(r).split('\n');
    expect(lines.slice(0, 3)).toEqual([r.summary, `risk: ${r.risk.level} (${r.risk.reason})`, `base ${r.base}, head ${r.head}`]);
  });

  it('every format is pure: the same report gives the same output, and the report is left alone', () => {
    const copy = structuredClone(r);
    for (const format of [impactMarkdown, impactText, impactJson]) expect(format(r)).toBe(format(r));
    expect(r).toEqual(copy);
  });

  it('json: the same data, top-level keys in the documented order', () => {
    const parsed = JSON.parse(impactJson(r)) as Record<string, unknown>;
    expect(Object.keys(parsed)).toEqual(['base', 'head', 'gateways', 'lint', 'consumers', 'risk', 'summary', 'contracts']);
    expect(parsed).toEqual(JSON.parse(JSON.stringify(r)));
  });
});

it('test/golden/impact holds exactly the golden files of the scenarios', () => {
  const expected = SCENARIOS.flatMap((s) => Object.keys(FORMATS).map((ext) => `${s.name}.${ext}`)).sort();
  expect(readdirSync(GOLDEN_DIR).sort()).toEqual(expected);
});

describe('the scenarios show what they are meant to', () => {
  const byName = Object.fromEntries(SCENARIOS.map((s) => [s.name, s.report()]));

  it('rate-limit-period: only rate limits change, each with before and after', () => {
    const [g] = byName['rate-limit-period']!.gateways;
    expect(g!.rateLimits.length).toBeGreaterThan(0);
    for (const row of g!.rateLimits) expect([row.before?.period, row.after?.period]).toEqual(['1m', '2m']);
    expect(impactMarkdown(byName['rate-limit-period']!)).toContain('| GROUP | API | BEFORE | AFTER |\n|---|---|---|---|\n');
    expect(impactMarkdown(byName['rate-limit-period']!)).toContain('fallback-ratelimit (100/1m) | fallback-ratelimit (100/2m) |');
  });

  it('everything-added: tables longer than 10 rows are folded in <details>, with the row count', () => {
    const md = impactMarkdown(byName['everything-added']!);
    const [g] = byName['everything-added']!.gateways;
    expect(g!.routes.added.length).toBeGreaterThan(10);
    expect(md).toContain(`<details><summary>${g!.routes.added.length} changes</summary>\n\n| CHANGE | HOSTS | PATH PREFIX | CONDITIONS | API |`);
    const access = g!.access.granted.length + g!.access.revoked.length;
    expect(access).toBeGreaterThan(10);
    expect(md).toContain(`<details><summary>${access} changes</summary>\n\n| CHANGE | GROUP | API | OPERATIONS |`);
  });

  it('consumers: the consumers table lists email, key, requests and refused requests', () => {
    const r = byName['consumers']!;
    expect(r.consumers).not.toBeNull();
    expect(r.consumers!.some((c) => c.refusedByNewLimit !== undefined && c.refusedByNewLimit > 0)).toBe(true);
    expect(impactMarkdown(r)).toContain('| CONSUMER | KEY | API | REQUESTS | REFUSED BY THE NEW LIMIT | WHY |');
  });

  it('no-change: says so, in words', () => {
    const md = impactMarkdown(byName['no-change']!);
    expect(md.split('\n')[0]).toBe('**gitgate**: This change does not change what the gateways serve.');
    expect(md).toContain('No gateway serves anything differently.');
    expect(md).toContain('No consumer called what this change affects in the usage window.');
  });
});

describe('markdown tables fold beyond 10 rows', () => {
  const row = (i: number): RateLimitChange => ({ group: `g${String(i).padStart(2, '0')}`, api: 'apps/a', before: { name: 'old', limit: 10, period: '1m' }, after: { name: 'new', limit: 5, period: '1m' } });
  const report = (rows: number): ImpactReport => {
    const gateway: GatewayImpact = {
      name: 'gw',
      routes: { added: [], removed: [], changed: [] },
      access: { granted: [], revoked: [] },
      rateLimits: Array.from({ length: rows }, (_, i) => row(i)),
      apis: { added: [], removed: [], changed: [] },
    };
    return { base: BASE, head: HEAD, summary: 'This change lowers some rate limits.', gateways: [gateway], lint: { introduced: [], fixed: [] }, consumers: null, contracts: [], risk: { level: 'medium', reason: 'r' } };
  };

  it.each([
    [1, false],
    [10, false],
    [11, true],
    [40, true],
  ])('%i rows: folded %s', (rows, folded) => {
    const md = impactMarkdown(report(rows));
    expect(md.includes('<details>')).toBe(folded);
    expect(md.split('\n').filter((l) => l.startsWith('| g')).length).toBe(rows);
    if (folded) expect(md).toContain(`<details><summary>${rows} changes</summary>`);
    if (folded) expect(md.trimEnd().endsWith('</details>')).toBe(true);
  });

  it('escapes pipes and line breaks inside cells', () => {
    const r = report(1);
    const odd: ImpactReport = { ...r, gateways: [{ ...r.gateways[0]!, rateLimits: [{ ...row(0), group: 'a|b', api: 'apps/x\ny' }] }] };
    expect(impactMarkdown(odd)).toContain('| a\\|b | apps/x<br>y |');
  });
});
