import { lint, type Diagnostic, type LintSummary, type RuleSettings } from '../analyzer/index.js';
import { createGraph, loadSources, type FileProblem, type SourceInput } from '../model/index.js';
import { compile, type RuntimeConfig } from '../policy/index.js';

export type BuildResult =
  | { readonly ok: true; readonly config: RuntimeConfig; readonly diagnostics: readonly Diagnostic[]; readonly summary: LintSummary }
  | { readonly ok: false; readonly diagnostics: readonly Diagnostic[]; readonly summary: LintSummary };

/**
 * One revision, start to end: load → lint → compile. A revision with a lint error yields no
 * configuration: the caller keeps serving the last good one (DESIGN.md, Validation before apply).
 */
export function buildRevision(inputs: readonly SourceInput[], revision: string, options: { readProblems?: readonly FileProblem[]; rules?: RuleSettings } = {}): BuildResult {
  const loaded = loadSources(inputs);
  const readProblems = options.readProblems ?? [];
  const graph = createGraph({ files: loaded.files + readProblems.length, entries: loaded.entries, fileProblems: [...readProblems, ...loaded.fileProblems] });
  const { diagnostics, summary } = lint(graph, { rules: options.rules ?? {} });
  if (summary.errors > 0) return { ok: false, diagnostics, summary };
  return { ok: true, config: compile(graph, { revision }), diagnostics, summary };
}
