export type Severity = 'error' | 'warning';

/** The resource a diagnostic is about; `namespace` is absent for cluster-scoped kinds. */
export interface DiagnosticResource {
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
}

/** One finding, with its exact place: 1-based line and column in a file relative to the root. */
export interface Diagnostic {
  readonly rule: string;
  readonly severity: Severity;
  readonly message: string;
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly resource?: DiagnosticResource;
  /** Dotted path such as `spec.service.name`; absent for whole-resource diagnostics. */
  readonly field?: string;
}

export interface LintSummary {
  readonly files: number;
  readonly resources: number;
  readonly errors: number;
  readonly warnings: number;
}

/** Sorted by file, line, column, rule (then message, so the order is total and stable). */
export function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  return (
    compareStrings(a.file, b.file) ||
    a.line - b.line ||
    a.column - b.column ||
    compareStrings(a.rule, b.rule) ||
    compareStrings(a.message, b.message)
  );
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
