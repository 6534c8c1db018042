import { describe, expect, it } from 'vitest';
import { graphFromSources } from '../../model/index.js';
import { ruleTable, yaml } from '../../../test/helpers/rule-tester.js';

/**
 * A cluster-scoped hub resource whose `spec` body (written flush left) starts on line 5,
 * indented by two columns: `inSpec(line, column)` converts a position inside that body.
 */
function hub(kind: string, spec: string, name = 'a'): string {
  const body = spec.trimEnd().split('\n').map((line) => `  ${line}`).join('\n');
  return `apiVersion: hub.traefik.io/v1alpha1\nkind: ${kind}\nmetadata: { name: ${name} }\nspec:\n${body}\n`;
}

const inSpec = (line: number, column: number) => ({ line: 4 + line, column: 2 + column });

const MATCHES_NOTHING = ' (a malformed selector matches nothing)';
const badKey = (key: string) =>
  `label key "${key}" is invalid: its name must be 1-63 alphanumeric characters, '-', '_' or '.', starting and ending with an alphanumeric character${MATCHES_NOTHING}`;
const badValue = (value: string) =>
  `label value "${value}" is invalid: it must be empty or 1-63 alphanumeric characters, '-', '_' or '.', starting and ending with an alphanumeric character${MATCHES_NOTHING}`;
const UNKNOWN = (operator: string) => `unknown operator "${operator}": use one of In, NotIn, Exists, DoesNotExist${MATCHES_NOTHING}`;

/** An APIAccess whose apiSelector's first expression starts on spec line 4 (`- key:` at column 5). */
const expression = (lines: string) =>
  hub('APIAccess', `groups: [a]\napiSelector:\n  matchExpressions:\n${lines.trimEnd().split('\n').map((line, i) => `${i === 0 ? '    - ' : '      '}${line}`).join('\n')}`);

ruleTable('selector', {
  valid: [
    { name: 'empty selectors match everything', files: hub('APIAccess', 'groups: [a]\napiSelector: {}\napiCollectionSelector: {}') },
    { name: 'absent selectors', files: hub('APIAccess', 'groups: [a]\napis: [{ name: x }]') + '---\n' + hub('APICollection', 'pathPrefix: /c', 'c') },
    {
      name: 'all four operators, used as documented',
      files: hub(
        'APIAccess',
        yaml`
          anyGroups: true
          apiSelector:
            matchLabels: { app.kubernetes.io/part-of: crm, tier: "", version: v1.2_beta-3 }
            matchExpressions:
              - { key: area, operator: In, values: [employee, customer] }
              - { key: example.com/stage, operator: NotIn, values: [dev] }
              - { key: owner, operator: Exists }
              - { key: deprecated, operator: DoesNotExist, values: [] }
          apiCollectionSelector:
            matchExpressions: [{ key: module, operator: Exists }]
        `,
      ),
    },
    { name: 'a label value of 63 characters and a key name of 63', files: hub('APICollection', `apiSelector: { matchLabels: { ${'k'.repeat(63)}: ${'v'.repeat(63)} } }`) },
    { name: 'an APIRateLimit selector', files: hub('APIRateLimit', 'limit: 1\nanyGroups: true\napiSelector: { matchLabels: { module: crm } }') },
    { name: 'label values that are numbers written as strings', files: hub('APICollection', 'apiSelector:\n  matchLabels: { version: "2" }\n  matchExpressions: [{ key: v, operator: In, values: ["1", "2"] }]') },
  ],
  invalid: [
    {
      name: 'an unknown operator, at the operator',
      files: expression('key: tier\noperator: Equals\nvalues: [gold]'),
      errors: [{ message: UNKNOWN('Equals'), ...inSpec(5, 17), field: 'spec.apiSelector.matchExpressions[0].operator', severity: 'error' }],
    },
    {
      name: 'operators are case-sensitive',
      files: expression('key: tier\noperator: in\nvalues: [gold]'),
      errors: [{ message: UNKNOWN('in'), ...inSpec(5, 17) }],
    },
    {
      name: 'In without values, at the operator',
      files: expression('key: tier\noperator: In'),
      errors: [{ message: `operator In needs at least one value${MATCHES_NOTHING}`, ...inSpec(5, 17), field: 'spec.apiSelector.matchExpressions[0].operator' }],
    },
    {
      name: 'NotIn with an empty list of values',
      files: expression('key: tier\noperator: NotIn\nvalues: []'),
      errors: [{ message: `operator NotIn needs at least one value${MATCHES_NOTHING}`, ...inSpec(5, 17) }],
    },
    {
      name: 'Exists with values, at the values',
      files: expression('key: tier\noperator: Exists\nvalues: [gold]'),
      errors: [{ message: `operator Exists takes no values${MATCHES_NOTHING}`, ...inSpec(6, 15), field: 'spec.apiSelector.matchExpressions[0].values' }],
    },
    {
      name: 'DoesNotExist with values',
      files: expression('key: tier\noperator: DoesNotExist\nvalues:\n  - gold'),
      errors: [{ message: `operator DoesNotExist takes no values${MATCHES_NOTHING}`, ...inSpec(7, 9) }],
    },
    {
      name: 'an invalid expression key, at the key value',
      files: expression('key: -tier\noperator: Exists'),
      errors: [{ message: badKey('-tier'), ...inSpec(4, 12), field: 'spec.apiSelector.matchExpressions[0].key' }],
    },
    {
      name: 'an expression key with an invalid prefix',
      files: expression('key: Example.com/tier\noperator: Exists'),
      errors: [{ message: `label key "Example.com/tier" has an invalid prefix: it must be a lowercase DNS subdomain${MATCHES_NOTHING}`, ...inSpec(4, 12) }],
    },
    {
      name: 'an expression key name longer than 63 characters',
      files: expression(`key: example.com/${'k'.repeat(64)}\noperator: Exists`),
      errors: [{ message: badKey(`example.com/${'k'.repeat(64)}`), ...inSpec(4, 12) }],
    },
    {
      name: 'an invalid expression value, at that value',
      files: expression('key: tier\noperator: In\nvalues: [gold, "silver plated", bronze]'),
      errors: [{ message: badValue('silver plated'), ...inSpec(6, 22), field: 'spec.apiSelector.matchExpressions[0].values[1]' }],
    },
    {
      name: 'several problems in one expression, in document order',
      files: expression('key: "bad key"\noperator: Has\nvalues: ["-x"]'),
      errors: [
        { message: badKey('bad key'), ...inSpec(4, 12) },
        { message: UNKNOWN('Has'), ...inSpec(5, 17) },
        { message: badValue('-x'), ...inSpec(6, 16) },
      ],
    },
    {
      // A problem with a key points at the key, as it does for metadata.labels; the value would
      // put the caret on text that is fine.
      name: 'an invalid matchLabels key, at the key',
      files: hub('APIAccess', 'groups: [a]\napiSelector:\n  matchLabels:\n    "bad key": crm'),
      errors: [{ message: badKey('bad key'), ...inSpec(4, 5), field: 'spec.apiSelector.matchLabels.bad key' }],
    },
    {
      name: 'an invalid matchLabels value, at the value',
      files: hub('APIAccess', 'groups: [a]\napiSelector:\n  matchLabels:\n    module: crm/hr'),
      errors: [{ message: badValue('crm/hr'), ...inSpec(4, 13), field: 'spec.apiSelector.matchLabels.module' }],
    },
    {
      name: 'a matchLabels value longer than 63 characters',
      files: hub('APICollection', `apiSelector: { matchLabels: { module: ${'v'.repeat(64)} } }`),
      errors: [{ message: badValue('v'.repeat(64)), ...inSpec(1, 39) }],
    },
    {
      name: 'both selectors of an APIAccess',
      files: hub('APIAccess', 'groups: [a]\napiSelector: { matchExpressions: [{ key: a, operator: Exists, values: [x] }] }\napiCollectionSelector: { matchExpressions: [{ key: b, operator: Missing }] }'),
      errors: [
        { message: `operator Exists takes no values${MATCHES_NOTHING}`, ...inSpec(2, 71), field: 'spec.apiSelector.matchExpressions[0].values' },
        { message: UNKNOWN('Missing'), ...inSpec(3, 65), field: 'spec.apiCollectionSelector.matchExpressions[0].operator' },
      ],
    },
    {
      name: 'an APICollection selector',
      files: hub('APICollection', 'pathPrefix: /crm\napiSelector:\n  matchExpressions:\n    - { key: module, operator: In }'),
      errors: [{ message: `operator In needs at least one value${MATCHES_NOTHING}`, ...inSpec(4, 32), field: 'spec.apiSelector.matchExpressions[0].operator' }],
    },
    {
      name: 'an APIRateLimit selector',
      files: hub('APIRateLimit', 'limit: 10\nanyGroups: true\napiSelector:\n  matchLabels: { module: "-crm" }'),
      errors: [{ message: badValue('-crm'), ...inSpec(4, 26), field: 'spec.apiSelector.matchLabels.module' }],
    },
  ],
});

describe('selector: a selector that does not decode matches nothing', () => {
  // The resource rule reports the type error; the graph must not widen the selector by dropping
  // the bad part (`tier: 1` unquoted would otherwise turn it into `{}`, which matches every API).
  const apis = yaml`
    apiVersion: hub.traefik.io/v1alpha1
    kind: API
    metadata: { name: gold, namespace: apps, labels: { tier: gold } }
    spec: { pathPrefix: /gold, currentVersion: v1 }
    ---
    apiVersion: hub.traefik.io/v1alpha1
    kind: API
    metadata: { name: plain, namespace: apps }
    spec: { pathPrefix: /plain, currentVersion: v1 }
    ---
  `;
  const cases: Record<string, string> = {
    'a label value that is a number': '{ matchLabels: { tier: 1 } }',
    'an expression key that is a number': '{ matchExpressions: [{ key: 5, operator: In, values: [gold] }] }',
    'an expression value that is a number': '{ matchExpressions: [{ key: tier, operator: Exists, values: [1] }] }',
  };
  const granted = (selector: string): string[] => {
    const access = `apiVersion: hub.traefik.io/v1alpha1\nkind: APIAccess\nmetadata: { name: x }\nspec: { groups: [g], apiSelector: ${selector} }\n`;
    const graph = graphFromSources([{ path: 'test.yaml', content: apis + access }]);
    return graph.list('APIAccess').flatMap((a) => graph.apisOfAccess(a).map((api) => api.name));
  };
  it('(control) the same selectors, well typed, select the labelled API', () => {
    expect(granted('{ matchLabels: { tier: gold } }')).toEqual(['gold']);
    expect(granted('{ matchExpressions: [{ key: tier, operator: In, values: [gold] }] }')).toEqual(['gold']);
  });
  for (const [name, selector] of Object.entries(cases)) {
    it(name, () => {
      expect(granted(selector)).toEqual([]);
    });
  }
});
