import { formatFieldPath } from '../../model/index.js';
import { defineRule } from '../rule.js';

export default defineRule({
  id: 'resource',
  description: 'Report resources that break their schema: required fields, types, names, limits, mutual exclusions and legacy fields',
  severity: 'error',
  messages: { invalid: '{{field}}: {{message}}' },
  check(graph, report) {
    for (const entry of graph.entries) {
      for (const problem of entry.problems) {
        report({
          messageId: 'invalid',
          data: { field: formatFieldPath(problem.path), message: problem.message },
          target: entry,
          path: problem.path,
          at: problem.target,
          severity: problem.severity,
        });
      }
    }
  },
});
