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
const FIRST_SYNC_WAIT_MS = 1000;

/**
 * Follows the source: fetch → (pin or head) → load, lint, compile → apply, as one step that
 * either succeeds whole or changes nothing. Every attempt is recorded; a bad revision is
 * recorded once and not retried; the last good configuration keeps serving; an unreachable
 * source is retried with backoff; drift is healed every interval.
 */
export class Reconciler {
  readonly #options: ReconcilerOptions;
  /**
   * What is in service. The configuration itself is not kept: the gateway holds its compiled
   * form, and a drifted gateway gets it again from its file. Keeping a 10,000-API configuration
   * twice doubles the heap the collector walks, and its pauses stall traffic.
   */
  #applied: AppliedState | undefined;
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
      this.#applied = { deploymentId: stored.record.id, revision: stored.record.revision, hash: config.hash, at: new Date().toISOString() };
      logger.info('serving the last good revision from the store', { revision: stored.record.revision, deployment: stored.record.id });
    }
    const newest = (await deployments.list({ offset: 0, limit: 1 })).items[0];
    // With nothing served (a directory source, or no stored config to restore), the first sync
    // deploys even the revision attempted last: a restart must serve, not find it unchanged.
    this.#lastAttempted = this.#applied === undefined ? undefined : newest?.revision;
    this.#lastAttempt = newest;
    const first = this.sync('start');
    if (this.#applied === undefined) {
      await first;
      return;
    }
    // Serving from the store needs no git: a slow or hanging remote holds the start up for one
    // second at most, then the first sync goes on in the background.
    first.catch((error: unknown) => logger.error('first sync failed', { error: String(error) }));
    await Promise.race([first.catch(() => undefined), new Promise((resolve) => setTimeout(resolve, FIRST_SYNC_WAIT_MS).unref())]);
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

  /**
   * The resources of the newest revision built, with their lint state. After a restart with
   * nothing new to deploy, the revision in service is built once (not deployed) to list them.
   */
  async resources(): Promise<{ revision: string; items: readonly ResourceState[]; diagnostics: readonly Diagnostic[] } | undefined> {
    if (this.#resources !== undefined) return this.#resources;
    const revision = this.#applied?.revision;
    if (revision === undefined) return undefined;
    return this.#serially(async () => {
      if (this.#resources !== undefined) return this.#resources;
      const snapshot = await this.#options.source.read(revision);
      const built = await buildOffThread({ revision, inputs: snapshot.inputs, problems: snapshot.problems });
      this.#resources = { revision, items: built.resources, diagnostics: built.diagnostics };
      return this.#resources;
    });
  }

  /** Stops following the branch: serves `revision` until unpinned. */
  pin(revision: string): Promise<{ ok: true; revision: string } | { ok: false; status: number; code: string; message: string }> {
    return this.#serially(async () => {
      if (!(await this.#options.source.has(revision))) {
        return { ok: false as const, status: 404, code: 'ERR_CONTROL_UNKNOWN_REVISION', message: `revision ${revision} is not in the repository` };
      }
      const deployed = await this.#deployAside(revision, 'pin', 'applied');
      if (deployed.result === 'rejected') {
        return { ok: false as const, status: 422, code: 'ERR_CONTROL_TARGET_REJECTED', message: `revision ${revision} does not lint clean: not pinned (see deployment ${deployed.id})` };
      }
      this.#pinned = revision;
      await this.#options.deployments.setState('pin', revision);
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
      const deployed = await this.#deployAside(target, 'rollback', 'rolled-back');
      if (deployed.result !== 'rolled-back') return { ok: false, status: 422, code: 'ERR_CONTROL_TARGET_REJECTED', message: `revision ${target} does not lint clean: it was not applied` };
      let revertCommit: string | null = null;
      try {
        // The revert goes on the branch as it is now, not as it was at the last fetch.
        const head = await this.#options.source.latest();
        this.#health = { ...this.#health, health: 'ok', head, error: null, consecutiveFailures: 0 };
        revertCommit = await revert(target, head);
        await publish(revertCommit);
        this.#health = { ...this.#health, head: revertCommit };
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
      if (this.#pinned !== undefined && !/^[0-9a-f]{40}$/.test(this.#pinned)) {
        // `--revision abc123`: recorded and shown by its full name once the commit is known.
        const full = await source.resolve(this.#pinned).catch(() => undefined);
        if (full !== undefined) {
          this.#pinned = full;
          await this.#options.deployments.setState('pin', full);
        }
      }
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

  /**
   * A deployment asked for by an operator (pin, rollback): a refused target leaves what the
   * branch follower attempted last unchanged, so the next poll does not deploy the head again.
   */
  async #deployAside(revision: string, trigger: Trigger, success: DeploymentResult): Promise<DeploymentRecord> {
    const previous = this.#lastAttempted;
    const deployed = await this.#deploy(revision, trigger, success);
    if (deployed.result === 'rejected') this.#lastAttempted = previous;
    return deployed;
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
    };
    const refusal = await source.refuse(revision);
    if (refusal !== undefined) {
      logger.warn('revision refused', { revision, reason: refusal });
      return this.#recorded(await deployments.record({ ...base, impact: null, result: 'rejected', reason: refusal, errors: 1, warnings: 0, diagnostics: [], configHash: null, config: null }));
    }
    let snapshot;
    try {
      snapshot = await source.read(revision);
    } catch (error) {
      const reason = `the revision cannot be read: ${(error as Error).message}`;
      return this.#recorded(await deployments.record({ ...base, impact: null, result: 'rejected', reason, errors: 1, warnings: 0, diagnostics: [], configHash: null, config: null }));
    }
    const inService = this.#applied === undefined ? undefined : await this.#options.deployments.get(this.#applied.deploymentId);
    const built = await buildOffThread({
      revision,
      inputs: snapshot.inputs,
      problems: snapshot.problems,
      configDir: this.#options.configDir,
      ...(this.#applied === undefined || inService === undefined
        ? {}
        : { base: { revision: this.#applied.revision, hash: this.#applied.hash, diagnostics: inService.diagnostics as Diagnostic[] } }),
    });
    this.#resources = { revision, items: built.resources, diagnostics: built.diagnostics };
    const counts = { errors: built.summary.errors, warnings: built.summary.warnings, diagnostics: built.diagnostics };
    if (!built.ok || built.config === undefined) {
      logger.warn('revision rejected: it has lint errors; still serving the last good one', { revision, errors: built.summary.errors });
      return this.#recorded(await deployments.record({ ...base, impact: built.impact, result: 'rejected', reason: null, ...counts, configHash: null, config: null }));
    }
    const config = built.config;
    await deployer.apply(config);
    // The configuration itself was saved by the build, as a file: not a 20 MB row per deployment.
    const id = await deployments.record({ ...base, impact: built.impact, result: success, reason: null, ...counts, configHash: config.hash, config: null });
    this.#applied = { deploymentId: id, revision, hash: config.hash, at: base.attemptedAt };
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
      const config = await readStoredConfig(this.#options.configDir, applied.hash, undefined);
      if (config === undefined) return void this.#options.logger.error('drift: the configuration in service is not on disk any more', { hash: applied.hash });
      this.#options.logger.warn('drift: a gateway runs another configuration; applying again', { hash: applied.hash });
      await this.#options.deployer.apply(config);
    }
  }

}
