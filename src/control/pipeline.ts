import { lint, type Diagnostic, type LintSummary, type RuleSettings } from '../analyzer/index.js';
import { createGraph, loadSources, type FileProblem, type ResourceGraph, type SourceInput } from '../model/index.js';
import { compile, type RuntimeConfig } from '../policy/index.js';

/** A resource of a revision with its lint state, for the admin API. */
export interface ResourceState {
  readonly kind: string;
  readonly apiVersion: string;
  readonly namespace?: string;
  readonly name: string;
  readonly file: string;
  readonly line: number;
  readonly errors: number;
  readonly warnings: number;
}

interface BuildCommon {
  readonly diagnostics: readonly Diagnostic[];
  readonly summary: LintSummary;
  readonly resources: readonly ResourceState[];
  readonly graph: ResourceGraph;
}

export type BuildResult = (BuildCommon & { readonly ok: true; readonly config: RuntimeConfig }) | (BuildCommon & { readonly ok: false });

/**
 * One revision, start to end: load → lint → compile. A revision with a lint error yields no
 * configuration: the caller keeps serving the last good one (DESIGN.md, Validation before apply).
 */
export function buildRevision(inputs: readonly SourceInput[], revision: string, options: { readProblems?: readonly FileProblem[]; rules?: RuleSettings } = {}): BuildResult {
  const loaded = loadSources(inputs);
  const readProblems = options.readProblems ?? [];
  const graph = createGraph({ files: loaded.files + readProblems.length, entries: loaded.entries, fileProblems: [...readProblems, ...loaded.fileProblems] });
  const { diagnostics, summary } = lint(graph, { rules: options.rules ?? {} });
  const common = { diagnostics, summary, resources: resourceStates(graph, diagnostics), graph };
  if (summary.errors > 0) return { ok: false, ...common };
  return { ok: true, config: compile(graph, { revision }), ...common };
}

function resourceStates(graph: ResourceGraph, diagnostics: readonly Diagnostic[]): ResourceState[] {
  const counts = new Map<string, { errors: number; warnings: number }>();
  for (const d of diagnostics) {
    if (d.resource === undefined) continue;
    const key = `${d.resource.kind}/${d.resource.namespace ?? ''}/${d.resource.name}`;
    const count = counts.get(key) ?? { errors: 0, warnings: 0 };
    if (d.severity === 'error') count.errors++;
    else count.warnings++;
    counts.set(key, count);
  }
  return graph.entries
    .filter((entry) => entry.name !== undefined)
    .map((entry) => {
      const { file, line } = entry.source.locate(['metadata', 'name']);
      const count = counts.get(`${entry.kind}/${entry.namespace ?? ''}/${entry.name}`) ?? { errors: 0, warnings: 0 };
      return {
        kind: entry.kind,
        apiVersion: entry.apiVersion,
        ...(entry.namespace === undefined ? {} : { namespace: entry.namespace }),
        name: entry.name!,
        file,
        line,
        ...count,
      };
    });
}
