import { describe, expect, it } from 'vitest';
import { compileSelector, matchesSelector, selectorProblems, SELECTOR_OPERATORS } from './selector.js';
import type { LabelSelector } from './types.js';

const crm = { area: 'crm', tier: 'gold' };
const billing = { area: 'billing' };
const bare = {};
const empty = { area: '' };

/** Which of the label sets a selector matches, by name. */
function matched(selector: LabelSelector | undefined): string[] {
  const sets: Record<string, Record<string, string>> = { crm, billing, bare, empty };
  const match = compileSelector(selector);
  return Object.entries(sets)
    .filter(([, labels]) => match(labels))
    .map(([name]) => name);
}

describe('compileSelector', () => {
  it('lists the four operators of the spec', () => {
    expect([...SELECTOR_OPERATORS]).toEqual(['In', 'NotIn', 'Exists', 'DoesNotExist']);
  });

  it('an empty selector matches every object, even one without labels', () => {
    expect(matched({})).toEqual(['crm', 'billing', 'bare', 'empty']);
    expect(matched({ matchLabels: {}, matchExpressions: [] })).toEqual(['crm', 'billing', 'bare', 'empty']);
  });

  it('an absent selector matches nothing', () => {
    expect(matched(undefined)).toEqual([]);
    expect(matchesSelector(undefined, crm)).toBe(false);
  });

  it('matchLabels needs every pair, with the exact value', () => {
    expect(matched({ matchLabels: { area: 'crm' } })).toEqual(['crm']);
    expect(matched({ matchLabels: { area: 'crm', tier: 'gold' } })).toEqual(['crm']);
    expect(matched({ matchLabels: { area: 'crm', tier: 'silver' } })).toEqual([]);
    expect(matched({ matchLabels: { area: 'CRM' } })).toEqual([]);
    // An empty value is a value: it matches the label set to "" and nothing else.
    expect(matched({ matchLabels: { area: '' } })).toEqual(['empty']);
  });

  it('In: the label exists and its value is listed', () => {
    expect(matched({ matchExpressions: [{ key: 'area', operator: 'In', values: ['crm', 'billing'] }] })).toEqual(['crm', 'billing']);
    expect(matched({ matchExpressions: [{ key: 'area', operator: 'In', values: ['hr'] }] })).toEqual([]);
    expect(matched({ matchExpressions: [{ key: 'area', operator: 'In', values: [''] }] })).toEqual(['empty']);
  });

  it('NotIn: the label is absent or its value is not listed (as in Kubernetes)', () => {
    expect(matched({ matchExpressions: [{ key: 'area', operator: 'NotIn', values: ['crm'] }] })).toEqual(['billing', 'bare', 'empty']);
    expect(matched({ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['gold'] }] })).toEqual(['billing', 'bare', 'empty']);
  });

  it('Exists: the label is present, whatever its value', () => {
    expect(matched({ matchExpressions: [{ key: 'area', operator: 'Exists' }] })).toEqual(['crm', 'billing', 'empty']);
    expect(matched({ matchExpressions: [{ key: 'area', operator: 'Exists', values: [] }] })).toEqual(['crm', 'billing', 'empty']);
  });

  it('DoesNotExist: the label is absent', () => {
    expect(matched({ matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' }] })).toEqual(['billing', 'bare', 'empty']);
  });

  it('labels and expressions are ANDed', () => {
    const selector: LabelSelector = {
      matchLabels: { area: 'crm' },
      matchExpressions: [
        { key: 'tier', operator: 'In', values: ['gold', 'silver'] },
        { key: 'legacy', operator: 'DoesNotExist' },
      ],
    };
    expect(matched(selector)).toEqual(['crm']);
    expect(matchesSelector(selector, { ...crm, legacy: 'yes' })).toBe(false);
  });

  it('a label inherited from Object.prototype is not a label', () => {
    expect(matchesSelector({ matchExpressions: [{ key: 'constructor', operator: 'Exists' }] }, {})).toBe(false);
    expect(matchesSelector({ matchExpressions: [{ key: 'toString', operator: 'DoesNotExist' }] }, {})).toBe(true);
  });

  const malformed: readonly [string, LabelSelector][] = [
    ['an unknown operator', { matchExpressions: [{ key: 'area', operator: 'Equals', values: ['crm'] }] }],
    ['an operator in the wrong case', { matchExpressions: [{ key: 'area', operator: 'in', values: ['crm'] }] }],
    ['In without values', { matchExpressions: [{ key: 'area', operator: 'In' }] }],
    ['NotIn with an empty list', { matchExpressions: [{ key: 'area', operator: 'NotIn', values: [] }] }],
    ['Exists with values', { matchExpressions: [{ key: 'area', operator: 'Exists', values: ['crm'] }] }],
    ['DoesNotExist with values', { matchExpressions: [{ key: 'tier', operator: 'DoesNotExist', values: ['gold'] }] }],
    ['an invalid label key in matchLabels', { matchLabels: { 'not a key': 'crm' } }],
    ['an invalid label value in matchLabels', { matchLabels: { area: 'not a value' } }],
    ['an invalid key in an expression', { matchExpressions: [{ key: '-area', operator: 'Exists' }] }],
    ['an invalid value in an expression', { matchExpressions: [{ key: 'area', operator: 'NotIn', values: ['crm', 'b@d'] }] }],
  ];
  for (const [name, selector] of malformed) {
    it(`a malformed selector matches nothing: ${name}`, () => {
      expect(selectorProblems(selector).length).toBeGreaterThan(0);
      expect(matched(selector)).toEqual([]);
    });
  }
});

describe('selectorProblems', () => {
  it('reports nothing for well-formed selectors', () => {
    expect(selectorProblems({})).toEqual([]);
    expect(
      selectorProblems({
        matchLabels: { 'app.kubernetes.io/name': 'crm', area: '' },
        matchExpressions: [
          { key: 'area', operator: 'In', values: ['crm'] },
          { key: 'area', operator: 'NotIn', values: ['hr', 'it'] },
          { key: 'example.com/tier', operator: 'Exists' },
          { key: 'legacy', operator: 'DoesNotExist', values: [] },
        ],
      }),
    ).toEqual([]);
  });

  it('an unknown operator names the allowed ones, at the operator', () => {
    expect(selectorProblems({ matchExpressions: [{ key: 'area', operator: 'Equals', values: ['crm'] }] })).toEqual([
      expect.objectContaining({ path: ['matchExpressions', 0, 'operator'], message: 'unknown operator "Equals": use one of In, NotIn, Exists, DoesNotExist' }),
    ]);
  });

  it('In and NotIn need values: reported at the operator', () => {
    expect(
      selectorProblems({
        matchExpressions: [
          { key: 'a', operator: 'In' },
          { key: 'b', operator: 'NotIn', values: [] },
        ],
      }),
    ).toEqual([
      expect.objectContaining({ path: ['matchExpressions', 0, 'operator'], message: 'operator In needs at least one value' }),
      expect.objectContaining({ path: ['matchExpressions', 1, 'operator'], message: 'operator NotIn needs at least one value' }),
    ]);
  });

  it('Exists and DoesNotExist take no values: reported at the values', () => {
    expect(
      selectorProblems({
        matchExpressions: [
          { key: 'a', operator: 'Exists', values: ['x'] },
          { key: 'b', operator: 'DoesNotExist', values: ['y'] },
        ],
      }),
    ).toEqual([
      expect.objectContaining({ path: ['matchExpressions', 0, 'values'], message: 'operator Exists takes no values' }),
      expect.objectContaining({ path: ['matchExpressions', 1, 'values'], message: 'operator DoesNotExist takes no values' }),
    ]);
  });

  it('invalid keys and values are reported where they are written', () => {
    const problems = selectorProblems({
      matchLabels: { 'Bad Key': 'ok', good: '-bad-' },
      matchExpressions: [{ key: 'UPPER.example.com/name', operator: 'In', values: ['fine', 'not fine'] }],
    });
    expect(problems.map((p) => [p.path, p.message])).toEqual([
      [
        ['matchLabels', 'Bad Key'],
        `label key "Bad Key" is invalid: its name must be 1-63 alphanumeric characters, '-', '_' or '.', starting and ending with an alphanumeric character`,
      ],
      [
        ['matchLabels', 'good'],
        `label value "-bad-" is invalid: it must be empty or 1-63 alphanumeric characters, '-', '_' or '.', starting and ending with an alphanumeric character`,
      ],
      [['matchExpressions', 0, 'key'], 'label key "UPPER.example.com/name" has an invalid prefix: it must be a lowercase DNS subdomain'],
      [
        ['matchExpressions', 0, 'values', 1],
        `label value "not fine" is invalid: it must be empty or 1-63 alphanumeric characters, '-', '_' or '.', starting and ending with an alphanumeric character`,
      ],
    ]);
  });

  it('a bad matchLabels key points at the key, a bad value at the value', () => {
    const [key, value] = selectorProblems({ matchLabels: { 'Bad Key': 'ok', good: '-bad-' } });
    expect(key!.at).toBe('key');
    expect(value!.at ?? 'value').toBe('value');
  });

  it('an expression with an unknown operator and bad values reports both', () => {
    const problems = selectorProblems({ matchExpressions: [{ key: 'area', operator: 'Like', values: ['a b'] }] });
    expect(problems.map((p) => p.path)).toEqual([
      ['matchExpressions', 0, 'operator'],
      ['matchExpressions', 0, 'values', 0],
    ]);
  });
});
