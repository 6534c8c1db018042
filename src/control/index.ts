/** The control plane: the revision pipeline, the directory (and later git) source, the admin API. */
export { startServe } from './serve.js';
export type { Attempt, RunningServe, ServeOptions, StartResult } from './serve.js';
export { buildRevision } from './pipeline.js';
export type { BuildResult } from './pipeline.js';
export { readDirectorySnapshot } from './directory-source.js';
export type { Snapshot } from './directory-source.js';
export { loadAdminToken } from './admin-token.js';
export { startGatewayRuntime } from './gateway-runtime.js';
export type { GatewayRuntime, GatewayRuntimeOptions } from './gateway-runtime.js';
export { startDemoUpstreams, stopDemoUpstreams } from './demo-upstreams.js';
export type { DemoUpstream } from './demo-upstreams.js';
