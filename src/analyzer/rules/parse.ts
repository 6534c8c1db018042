import { defineRule } from '../rule.js';

export default defineRule({
  id: 'parse',
  description: 'Report files that cannot be read as YAML: syntax errors, duplicate keys, custom tags, oversized, binary or non-UTF-8 files',
  severity: 'error',
  disableable: false,
  messages: { file: '{{message}}' },
  check(graph, report) {
    for (const problem of graph.fileProblems) {
      report({ messageId: 'file', data: { message: problem.message }, target: problem, severity: problem.severity });
    }
  },
});
