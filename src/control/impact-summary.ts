import { assessRisk, countImpact, diffConfigs, diffLint, summarize, type Diagnostic } from '../analyzer/index.js';
import { compile } from '../policy/index.js';
import type { ImpactSummary } from './build-protocol.js';
import { readStoredConfig } from './config-files.js';
import type { BuildResult } from './pipeline.js';

/**
 * What a revision changes compared with the one in service, summarized for its deployment
 * record: the same analysis as `gitgate diff`, from the configuration file of the revision in
 * service (no second build) and its recorded findings.
 */
export async function summarizeImpact(
  configDir: string,
  base: { readonly revision: string; readonly hash: string; readonly diagnostics: readonly Diagnostic[] },
  built: BuildResult,
): Promise<ImpactSummary | null> {
  const before = await readStoredConfig(configDir, base.hash, undefined);
  if (before === undefined) return null;
  // A rejected revision is compiled from what loaded, to say what it would have changed.
  const after = built.ok ? built.config : compile(built.graph, { revision: 'rejected' });
  const gateways = diffConfigs(before, after);
  const lint = diffLint(base.diagnostics, built.diagnostics);
  const counts = countImpact({ gateways, lint, consumers: null, contracts: [] });
  return { base: base.revision, summary: summarize(counts), risk: assessRisk(counts, false), counts: { ...counts } };
}
