import type { Diagnostic, LintSummary } from '../diagnostic.js';
import type { Rule } from '../rule.js';

export interface ReportContext {
  readonly summary: LintSummary;
  /** Every rule that could have reported (for SARIF's rule list and docs links). */
  readonly rules: readonly Rule[];
  readonly toolVersion: string;
}

/** A formatter: a pure function from sorted diagnostics to text. */
export type Reporter = (diagnostics: readonly Diagnostic[], context: ReportContext) => string;
