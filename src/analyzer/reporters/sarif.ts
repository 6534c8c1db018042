import type { Diagnostic } from '../diagnostic.js';
import type { Rule } from '../rule.js';
import type { Reporter } from './reporter.js';

const SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
const INFORMATION_URI = 'https://github.com/gitgate/gitgate';
const RULE_DOCS = 'https://github.com/gitgate/gitgate/blob/main/docs/rules/';

/**
 * SARIF 2.1.0 (OASIS), one run. Every rule of the context is listed, not only those that
 * reported, so code-scanning tools can show a clean rule as passing.
 */
export const sarif: Reporter = (diagnostics, { rules, toolVersion }) => {
  const ruleIndex = new Map(rules.map((rule, i) => [rule.id, i]));
  const log = {
    $schema: SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'gitgate',
            version: toolVersion,
            informationUri: INFORMATION_URI,
            rules: rules.map(ruleDescriptor),
          },
        },
        results: diagnostics.map((d) => result(d, ruleIndex.get(d.rule))),
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
};

function ruleDescriptor(rule: Rule): Record<string, unknown> {
  return {
    id: rule.id,
    shortDescription: { text: rule.description },
    helpUri: `${RULE_DOCS}${encodeURIComponent(rule.id)}.md`,
    defaultConfiguration: { level: rule.severity },
  };
}

function result(d: Diagnostic, ruleIndex: number | undefined): Record<string, unknown> {
  return {
    ruleId: d.rule,
    // A rule missing from the context's list (never the case from the CLI) gets no index rather than a wrong one.
    ...(ruleIndex === undefined ? {} : { ruleIndex }),
    level: d.severity,
    message: { text: d.message },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: fileUri(d.file), uriBaseId: '%SRCROOT%' },
          region: { startLine: d.line, startColumn: d.column },
        },
      },
    ],
  };
}

/**
 * A relative URI reference for a file path relative to the lint root (SARIF §3.4.3): each segment
 * percent-encoded, so spaces, `%`, `#` or a `:` in the first segment cannot change its meaning.
 */
export function fileUri(file: string): string {
  return file.split('/').map(encodeURIComponent).join('/');
}
