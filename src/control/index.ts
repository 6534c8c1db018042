/** The control plane: the revision pipeline, the directory (and later git) source, the admin API. */
export { startServe } from './serve.js';
export type { RepoOptions, RunningServe, ServeOptions, StartResult } from './serve.js';
export { buildRevision } from './pipeline.js';
export type { BuildResult } from './pipeline.js';
export { readDirectorySnapshot } from './directory-source.js';
export type { Snapshot } from './directory-source.js';
export { loadAdminToken } from './admin-token.js';
export { startGatewayRuntime } from './gateway-runtime.js';
export type { GatewayRuntime, GatewayRuntimeOptions } from './gateway-runtime.js';
export { startDemoUpstreams, stopDemoUpstreams } from './demo-upstreams.js';
export type { DemoUpstream } from './demo-upstreams.js';
export { Reconciler } from './reconciler.js';
export type { ReconcilerStatus, Trigger } from './reconciler.js';
export { GitSource } from './git/git-source.js';
export type { CommitInfo, GitSourceOptions } from './git/git-source.js';
export { readTreeAt } from './git/read-tree.js';
export { runGit, gitText, GitError } from './git/run-git.js';
export { signWebhook } from './webhook.js';
