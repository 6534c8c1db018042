import type { Diagnostic } from '../diagnostic.js';
import type { Reporter } from './reporter.js';

/**
 * The documented JSON shape (issue 2): objects are rebuilt key by key so the key order is the
 * contract's, whatever order the diagnostic was built in; absent parts stay absent, never `null`.
 */
export const json: Reporter = (diagnostics, { summary }) => {
  const report = {
    diagnostics: diagnostics.map(toJson),
    summary: { files: summary.files, resources: summary.resources, errors: summary.errors, warnings: summary.warnings },
  };
  return `${JSON.stringify(report, null, 2)}\n`;
};

function toJson(d: Diagnostic): Record<string, unknown> {
  const out: Record<string, unknown> = {
    rule: d.rule,
    severity: d.severity,
    message: d.message,
    file: d.file,
    line: d.line,
    column: d.column,
  };
  if (d.resource !== undefined) {
    const { kind, namespace, name } = d.resource;
    out.resource = namespace === undefined ? { kind, name } : { kind, namespace, name };
  }
  if (d.field !== undefined) out.field = d.field;
  return out;
}
