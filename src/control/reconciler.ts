import type { Diagnostic } from '../analyzer/index.js';
import type { RuntimeConfig } from '../policy/index.js';
import type { DeploymentRecord, DeploymentRepository, DeploymentResult } from '../store/index.js';
import type { Logger } from '../telemetry/index.js';
import { buildOffThread } from './builder.js';
import { readStoredConfig, pruneStoredConfigs } from './config-files.js';
import type { ResourceState } from './pipeline.js';
import type { RevisionSource } from './revision-source.js';

/** Where applied configurations go, and what each gateway process runs now (for drift). */
export interface Deployer {
  apply(config: RuntimeConfig): Promise<void>;
  /** The config hash each gateway process runs (undefined before its first config). */
  runningHashes(): readonly (string | undefined)[];
}

export type Trigger = 'start' | 'poll' | 'webhook' | 'sync' | 'pin' | 'unpin' | 'rollback' | 'reload';

export interface AppliedState {
  readonly deploymentId: number;
  readonly revision: string;
  readonly hash: string;
  readonly at: string;
}

export interface SourceHealth {
  readonly health: 'ok' | 'unreachable' | 'unknown';
  readonly head: string | null;
  readonly lastFetchAt: string | null;
  readonly lastSuccessAt: string | null;
  readonly error: string | null;
  readonly consecutiveFailures: number;
  readonly nextFetchAt: string | null;
}

export interface ReconcilerStatus {
  readonly source: Readonly<Record<string, string>> & { readonly kind: string };
  readonly sourceHealth: SourceHealth;
  readonly pinned: string | null;
  readonly applied: AppliedState | null;
  readonly lastAttempt: DeploymentRecord | null;
}

export interface ReconcilerOptions {
  readonly source: RevisionSource;
  readonly deployments: DeploymentRepository;
  readonly deployer: Deployer;
  readonly logger: Logger;
  /** Time between fetches, in milliseconds. */
  readonly intervalMs: number;
  /** Pin this revision at start (`--revision`). */
  readonly pin?: string;
  /** Where compiled configurations are saved as `<hash>.json`, to serve again after a restart. */
  readonly configDir: string;
  /** Serve the last good configuration from the store before the first sync (git sources). */
  readonly restoreLastGood: boolean;
}

/** What one sync did. */
export interface SyncOutcome {
  readonly result: 'applied' | 'rejected' | 'unchanged' | 'unreachable';
  readonly revision: string | null;
  readonly deployment: DeploymentRecord | null;
}

export type RollbackOutcome =
  | { readonly ok: true; readonly target: string; readonly deploymentId: number; readonly revertCommit: string | null; readonly pinned: boolean; readonly message: string }
  | { readonly ok: false; readonly status: number; readonly code: string; readonly message: string };

const MAX_BACKOFF_MS = 5 * 60_000;

/**
 * Follows the source: fetch → (pin or head) → load, lint, compile → apply, as one step that
 * either succeeds whole or changes nothing. Every attempt is recorded; a bad revision is
 * recorded once and not retried; the last good configuration keeps serving; an unreachable
 * source is retried with backoff; drift is healed every interval.
 */
export class Reconciler {
  readonly #options: ReconcilerOptions;
  #applied: (AppliedState & { config: RuntimeConfig }) | undefined;
  #lastAttempt: DeploymentRecord | undefined;
  #lastAttempted: string | undefined;
  #pinned: string | undefined;
  #health: SourceHealth = { health: 'unknown', head: null, lastFetchAt: null, lastSuccessAt: null, error: null, consecutiveFailures: 0, nextFetchAt: null };
  #resources: { revision: string; items: readonly ResourceState[]; diagnostics: readonly Diagnostic[] } | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(options: ReconcilerOptions) {
    this.#options = options;
  }

  /**
   * Serves the last good configuration from the store at once (no git needed), then syncs and
   * keeps syncing every interval.
   */
  async start(): Promise<void> {
    const { deployments, logger } = this.#options;
    this.#pinned = this.#options.pin ?? (await deployments.getState('pin'));
    if (this.#options.pin !== undefined) await deployments.setState('pin', this.#options.pin);
    const stored = this.#options.restoreLastGood ? await deployments.lastGood() : undefined;
    const config = stored === undefined ? undefined : await readStoredConfig(this.#options.configDir, stored.record.configHash, stored.config);
    if (stored !== undefined && config !== undefined) {
      await this.#options.deployer.apply(config);
      this.#applied = { deploymentId: stored.record.id, revision: stored.record.revision, hash: config.hash, at: new Date().toISOString(), config };
      logger.info('serving the last good revision from the store', { revision: stored.record.revision, deployment: stored.record.id });
    }
    const newest = (await deployments.list({ offset: 0, limit: 1 })).items[0];
    this.#lastAttempted = newest?.revision;
    this.#lastAttempt = newest;
    await this.sync('start');
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }

  /** Fetches now (webhook, admin call) and deploys what is new; concurrent calls queue up. */
  sync(trigger: Trigger): Promise<SyncOutcome> {
    return this.#serially(() => this.#sync(trigger));
  }

  status(): ReconcilerStatus {
    const applied = this.#applied === undefined ? null : { deploymentId: this.#applied.deploymentId, revision: this.#applied.revision, hash: this.#applied.hash, at: this.#applied.at };
    return { source: { kind: this.#options.source.kind, ...this.#options.source.describe() }, sourceHealth: this.#health, pinned: this.#pinned ?? null, applied, lastAttempt: this.#lastAttempt ?? null };
  }

  /** The resources of the newest revision built, with their lint state. */
  resources(): { revision: string; items: readonly ResourceState[]; diagnostics: readonly Diagnostic[] } | undefined {
    return this.#resources;
  }

  /** Stops following the branch: serves `revision` until unpinned. */
  pin(revision: string): Promise<{ ok: true; revision: string } | { ok: false; message: string }> {
    return this.#serially(async () => {
      if (!(await this.#options.source.has(revision))) return { ok: false as const, message: `revision ${revision} is not in the repository` };
      this.#pinned = revision;
      await this.#options.deployments.setState('pin', revision);
      await this.#deploy(revision, 'pin', 'applied');
      return { ok: true as const, revision };
    });
  }

  unpin(): Promise<void> {
    return this.#serially(async () => {
      this.#pinned = undefined;
      await this.#options.deployments.setState('pin', undefined);
      await this.#sync('unpin');
    });
  }

  /**
   * Rolls back the GitOps way: applies the target at once, then commits its content on top of
   * the branch (reverting every later commit) and pushes it. When the remote cannot be written,
   * the target is pinned instead, and the answer says so.
   */
  rollback(to: string | undefined, revert: (target: string, head: string) => Promise<string>, publish: (sha: string) => Promise<void>): Promise<RollbackOutcome> {
    return this.#serially(async (): Promise<RollbackOutcome> => {
      if (this.#options.source.kind !== 'git') return { ok: false, status: 409, code: 'ERR_CONTROL_NO_GIT', message: 'rollback needs a git source (serve --repo)' };
      let target = to;
      if (target === undefined) {
        const current = this.#applied;
        if (current === undefined) return { ok: false, status: 409, code: 'ERR_CONTROL_NOTHING_APPLIED', message: 'nothing has been applied yet' };
        const earlier = await this.#options.deployments.goodBefore(current.deploymentId, 50);
        target = earlier.find((d) => d.configHash !== current.hash)?.revision;
        if (target === undefined) return { ok: false, status: 409, code: 'ERR_CONTROL_NO_TARGET', message: 'no earlier good revision to roll back to' };
      }
      if (!(await this.#options.source.has(target))) return { ok: false, status: 404, code: 'ERR_CONTROL_UNKNOWN_REVISION', message: `revision ${target} is not in the repository` };
      const deployed = await this.#deploy(target, 'rollback', 'rolled-back');
      if (deployed.result !== 'rolled-back') return { ok: false, status: 422, code: 'ERR_CONTROL_TARGET_REJECTED', message: `revision ${target} does not lint clean: it was not applied` };
      const head = this.#health.head;
      let revertCommit: string | null = null;
      try {
        if (head === null) throw new Error('the branch head is unknown (the source has not been fetched)');
        revertCommit = await revert(target, head);
        await publish(revertCommit);
        this.#lastAttempted = target;
        return { ok: true, target, deploymentId: deployed.id, revertCommit, pinned: false, message: `rolled back to ${target}: revert commit ${revertCommit} pushed` };
      } catch (error) {
        this.#pinned = target;
        await this.#options.deployments.setState('pin', target);
        const reason = (error as Error).message;
        this.#options.logger.warn('rollback could not write the repository: pinned the target revision instead', { target, reason });
        return {
          ok: true,
          target,
          deploymentId: deployed.id,
          revertCommit: null,
          pinned: true,
          message: `rolled back to ${target}, but the repository could not be written (${reason}): the revision is pinned until DELETE /api/v1/pin`,
        };
      }
    });
  }

  #serially<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(work, work);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #sync(trigger: Trigger): Promise<SyncOutcome> {
    const { source, logger, intervalMs } = this.#options;
    clearTimeout(this.#timer);
    const started = new Date().toISOString();
    let latest: string;
    try {
      latest = await source.latest();
      this.#health = { health: 'ok', head: latest, lastFetchAt: started, lastSuccessAt: started, error: null, consecutiveFailures: 0, nextFetchAt: null };
    } catch (error) {
      const failures = this.#health.consecutiveFailures + 1;
      const delay = Math.min(intervalMs * 2 ** Math.min(failures, 10), MAX_BACKOFF_MS);
      this.#health = {
        ...this.#health,
        health: 'unreachable',
        lastFetchAt: started,
        error: (error as Error).message,
        consecutiveFailures: failures,
        nextFetchAt: new Date(Date.now() + delay).toISOString(),
      };
      logger.warn('source unreachable: still serving the last applied revision', { error: (error as Error).message, retryInMs: delay });
      this.#schedule(delay);
      return { result: 'unreachable', revision: null, deployment: null };
    }
    try {
      const target = this.#pinned ?? latest;
      let outcome: SyncOutcome = { result: 'unchanged', revision: target, deployment: null };
      if (target !== this.#lastAttempted) {
        const deployment = await this.#deploy(target, trigger, 'applied');
        outcome = { result: deployment.result === 'rejected' ? 'rejected' : 'applied', revision: target, deployment };
      }
      await this.#healDrift();
      return outcome;
    } finally {
      this.#schedule(intervalMs);
    }
  }

  #schedule(delay: number): void {
    if (this.#stopped) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.sync('poll').catch((error: unknown) => this.#options.logger.error('sync failed', { error: String(error) })), delay);
    this.#timer.unref();
  }

  /** Records and (when it lints clean) applies one revision. */
  async #deploy(revision: string, trigger: Trigger, success: DeploymentResult): Promise<DeploymentRecord> {
    const { source, deployments, deployer, logger } = this.#options;
    this.#lastAttempted = revision;
    const info = await source.info(revision).catch(() => undefined);
    const base = {
      revision,
      parent: info?.parent ?? null,
      author: info === undefined ? null : `${info.author} <${info.email}>`,
      message: info?.message ?? null,
      committedAt: info?.date ?? null,
      attemptedAt: new Date().toISOString(),
      trigger,
      impact: null,
    };
    const refusal = await source.refuse(revision);
    if (refusal !== undefined) {
      logger.warn('revision refused', { revision, reason: refusal });
      return this.#recorded(await deployments.record({ ...base, result: 'rejected', reason: refusal, errors: 1, warnings: 0, diagnostics: [], configHash: null, config: null }));
    }
    let snapshot;
    try {
      snapshot = await source.read(revision);
    } catch (error) {
      const reason = `the revision cannot be read: ${(error as Error).message}`;
      return this.#recorded(await deployments.record({ ...base, result: 'rejected', reason, errors: 1, warnings: 0, diagnostics: [], configHash: null, config: null }));
    }
    const built = await buildOffThread({ revision, inputs: snapshot.inputs, problems: snapshot.problems, configDir: this.#options.configDir });
    this.#resources = { revision, items: built.resources, diagnostics: built.diagnostics };
    const counts = { errors: built.summary.errors, warnings: built.summary.warnings, diagnostics: built.diagnostics };
    if (!built.ok || built.config === undefined) {
      logger.warn('revision rejected: it has lint errors; still serving the last good one', { revision, errors: built.summary.errors });
      return this.#recorded(await deployments.record({ ...base, result: 'rejected', reason: null, ...counts, configHash: null, config: null }));
    }
    const config = built.config;
    await deployer.apply(config);
    // The configuration itself was saved by the build, as a file: not a 20 MB row per deployment.
    const id = await deployments.record({ ...base, result: success, reason: null, ...counts, configHash: config.hash, config: null });
    this.#applied = { deploymentId: id, revision, hash: config.hash, at: base.attemptedAt, config };
    logger.info(success === 'rolled-back' ? 'rolled back' : 'revision applied', { revision, hash: config.hash, deployment: id });
    await pruneStoredConfigs(this.#options.configDir, config.hash).catch(() => undefined);
    return this.#recorded(id);
  }

  async #recorded(id: number): Promise<DeploymentRecord> {
    const record = (await this.#options.deployments.get(id))!;
    this.#lastAttempt = record;
    return record;
  }

  /** Re-applies the configuration to any gateway process that runs another one. */
  async #healDrift(): Promise<void> {
    const applied = this.#applied;
    if (applied === undefined) return;
    if (this.#options.deployer.runningHashes().some((hash) => hash !== applied.hash)) {
      this.#options.logger.warn('drift: a gateway runs another configuration; applying again', { hash: applied.hash });
      await this.#options.deployer.apply(applied.config);
    }
  }
}
