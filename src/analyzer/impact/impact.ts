import { createGraph, loadSources, type FileProblem, type ResourceGraph, type SourceInput } from '../../model/index.js';
import { compile, type RuntimeConfig } from '../../policy/index.js';
import type { Diagnostic } from '../diagnostic.js';
import { lint, type RuleSettings } from '../lint.js';
import { diffConfigs } from './config-diff.js';
import { affectedConsumers, type UsageData } from './consumers.js';
import { diffLint } from './lint-diff.js';
import { assessRisk, countImpact, summarize, type ImpactCounts } from './risk.js';
import type { ContractChangeView, ImpactReport } from './types.js';

/** One side of a change: the files of a revision (or of the working tree). */
export interface ImpactSide {
  /** The revision as the report names it (a commit sha, `working tree`). */
  readonly label: string;
  readonly inputs: readonly SourceInput[];
  readonly problems: readonly FileProblem[];
}

/** A side loaded, linted and compiled, with the same code the gateway uses. */
export interface BuiltSide {
  readonly label: string;
  readonly graph: ResourceGraph;
  readonly diagnostics: readonly Diagnostic[];
  readonly config: RuntimeConfig;
}

export interface ImpactOptions {
  readonly rules?: RuleSettings;
  /** Usage from the control plane (`--usage`): adds the affected consumers. */
  readonly usage?: UsageData;
  /** OpenAPI contract changes between the two sides, when the documents are in the repository. */
  readonly contracts?: (base: BuiltSide, head: BuiltSide) => readonly ContractChangeView[];
}

export function buildSide(side: ImpactSide, rules: RuleSettings = {}): BuiltSide {
  const loaded = loadSources(side.inputs);
  const graph = createGraph({ files: loaded.files + side.problems.length, entries: loaded.entries, fileProblems: [...side.problems, ...loaded.fileProblems] });
  const { diagnostics } = lint(graph, { rules });
  // A side with lint errors is compiled anyway, from what did load: the report shows what it
  // would change, next to the errors that keep it from being applied.
  return { label: side.label, graph, diagnostics, config: compile(graph, { revision: side.label }) };
}

/** The impact of going from `base` to `head`: the difference of their compiled configurations. */
export function computeImpact(base: ImpactSide, head: ImpactSide, options: ImpactOptions = {}): { report: ImpactReport; counts: ImpactCounts } {
  const before = buildSide(base, options.rules);
  const after = buildSide(head, options.rules);
  return impactOf(before, after, options);
}

export function impactOf(before: BuiltSide, after: BuiltSide, options: ImpactOptions = {}): { report: ImpactReport; counts: ImpactCounts } {
  const gateways = diffConfigs(before.config, after.config);
  const lintChanges = diffLint(before.diagnostics, after.diagnostics);
  const consumers = options.usage === undefined ? null : affectedConsumers(gateways, options.usage);
  const contracts = options.contracts?.(before, after) ?? [];
  const parts = { gateways, lint: lintChanges, consumers, contracts };
  const counts = countImpact(parts);
  const report: ImpactReport = {
    base: before.label,
    head: after.label,
    summary: summarize(counts),
    ...parts,
    risk: assessRisk(counts, options.usage !== undefined),
  };
  return { report, counts };
}
