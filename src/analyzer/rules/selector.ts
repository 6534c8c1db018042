import { selectorProblems, type FieldPath, type LabelSelector, type Resource } from '../../model/index.js';
import { defineRule } from '../rule.js';

export default defineRule({
  id: 'selector',
  description: 'Disallow malformed label selectors: unknown operators, missing or extra values, invalid label keys and values',
  severity: 'error',
  messages: { malformed: '{{message}} (a malformed selector matches nothing)' },
  check(graph, report) {
    const check = (resource: Resource, path: FieldPath, selector: LabelSelector | undefined) => {
      if (selector === undefined) return;
      for (const problem of selectorProblems(selector)) {
        report({ messageId: 'malformed', data: { message: problem.message }, target: resource, path: [...path, ...problem.path], at: problem.at ?? 'value' });
      }
    };
    for (const access of graph.list('APIAccess')) {
      check(access, ['spec', 'apiSelector'], access.spec.apiSelector);
      check(access, ['spec', 'apiCollectionSelector'], access.spec.apiCollectionSelector);
    }
    for (const collection of graph.list('APICollection')) check(collection, ['spec', 'apiSelector'], collection.spec.apiSelector);
    for (const limit of graph.list('APIRateLimit')) check(limit, ['spec', 'apiSelector'], limit.spec.apiSelector);
  },
});
