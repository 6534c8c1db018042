import type { Diagnostic, LintSummary } from '../analyzer/index.js';
import type { FileProblem } from '../model/index.js';
import type { ConfigChunk } from '../policy/index.js';
import type { ResourceState } from './pipeline.js';

/** What the build thread is asked: one revision's files. */
export interface BuildRequest {
  readonly revision: string;
  readonly inputs: readonly { readonly path: string; readonly content: Uint8Array | string }[];
  readonly problems: readonly FileProblem[];
  /** Where to save the compiled configuration as `<hash>.json` (so a restart needs no git). */
  readonly configDir?: string;
  /** The revision in service, to summarize what this one changes (its config file and findings). */
  readonly base?: { readonly revision: string; readonly hash: string; readonly diagnostics: readonly Diagnostic[] };
}

/** What a deployment records of its change: the same analysis as `gitgate diff`, summarized. */
export interface ImpactSummary {
  readonly base: string;
  readonly summary: string;
  readonly risk: { readonly level: string; readonly reason: string };
  readonly counts: Readonly<Record<string, number>>;
}

/** The build thread's answers: the lint result first, then the configuration in pieces. */
export type BuildMessage =
  | {
      readonly type: 'result';
      readonly ok: boolean;
      readonly diagnostics: readonly Diagnostic[];
      readonly summary: LintSummary;
      readonly hash: string | null;
      readonly impact: ImpactSummary | null;
    }
  /** The resources with their lint state, in pieces (42,000 for a 10,000-API repository). */
  | { readonly type: 'resources'; readonly items: readonly ResourceState[] }
  | { readonly type: 'chunk'; readonly chunk: ConfigChunk }
  | { readonly type: 'failed'; readonly message: string }
  | { readonly type: 'done' };
