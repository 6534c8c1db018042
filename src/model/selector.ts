import { checkLabelKey, checkLabelValue } from './names.js';
import type { FieldPath } from './source.js';
import type { LabelSelector } from './types.js';

export const SELECTOR_OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist'] as const;

type Labels = Readonly<Record<string, string>>;

/** A problem with a selector, at a path relative to the selector. */
export interface SelectorProblem {
  readonly path: FieldPath;
  readonly message: string;
  /** Point at the label's key rather than its value. */
  readonly at?: 'key' | 'value';
}

/** What makes a selector malformed; a malformed selector matches nothing. */
export function selectorProblems(selector: LabelSelector): SelectorProblem[] {
  const problems: SelectorProblem[] = [];
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    const keyProblem = checkLabelKey(key);
    if (keyProblem !== undefined) problems.push({ path: ['matchLabels', key], message: keyProblem, at: 'key' });
    const valueProblem = checkLabelValue(value);
    if (valueProblem !== undefined) problems.push({ path: ['matchLabels', key], message: valueProblem, at: 'value' });
  }
  (selector.matchExpressions ?? []).forEach((expression, index) => {
    const at = ['matchExpressions', index];
    const keyProblem = checkLabelKey(expression.key);
    if (keyProblem !== undefined) problems.push({ path: [...at, 'key'], message: keyProblem, at: 'value' });
    const values = expression.values ?? [];
    switch (expression.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) problems.push({ path: [...at, 'operator'], message: `operator ${expression.operator} needs at least one value` });
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0) problems.push({ path: [...at, 'values'], message: `operator ${expression.operator} takes no values` });
        break;
      default:
        problems.push({
          path: [...at, 'operator'],
          message: `unknown operator "${expression.operator}": use one of ${SELECTOR_OPERATORS.join(', ')}`,
        });
    }
    values.forEach((value, i) => {
      const valueProblem = checkLabelValue(value);
      if (valueProblem !== undefined) problems.push({ path: [...at, 'values', i], message: valueProblem, at: 'value' });
    });
  });
  return problems;
}

/**
 * Compiles a selector to a predicate. An absent selector matches nothing, `{}` matches
 * everything, and a malformed one matches nothing (the `selector` rule reports it).
 */
export function compileSelector(selector: LabelSelector | undefined): (labels: Labels) => boolean {
  if (selector === undefined || selectorProblems(selector).length > 0) return () => false;
  const labels = Object.entries(selector.matchLabels ?? {});
  const expressions = (selector.matchExpressions ?? []).map((e) => ({ key: e.key, operator: e.operator, values: new Set(e.values ?? []) }));
  return (target) => {
    for (const [key, value] of labels) if (target[key] !== value) return false;
    for (const { key, operator, values } of expressions) {
      const has = Object.hasOwn(target, key);
      if (operator === 'In' && !(has && values.has(target[key]!))) return false;
      if (operator === 'NotIn' && has && values.has(target[key]!)) return false;
      if (operator === 'Exists' && !has) return false;
      if (operator === 'DoesNotExist' && has) return false;
    }
    return true;
  };
}

export function matchesSelector(selector: LabelSelector | undefined, labels: Labels): boolean {
  return compileSelector(selector)(labels);
}
