/**
 * The data plane. It never imports the analyzer, the control plane or the YAML loader: it only
 * receives a compiled RuntimeConfig, which lets a gateway run far from the control plane.
 */
export { Gateway, upstreamPathOf, DEFAULT_MAX_BODY_BYTES } from './gateway.js';
export type { AccessLogEntry, GatewayOptions } from './gateway.js';
export type { UpstreamOptions } from './upstream.js';
export { GATEWAY_ERRORS } from './errors.js';
export type { GatewayErrorCode } from './errors.js';
export { canonicalizeTarget, canonicalizePath, coversPath } from './canonical-path.js';
export { MemoryBucketStore } from './rate-limiter.js';
export type { BucketStore, RateDecision, SharedBucketStore } from './rate-limiter.js';
export { RedisBucketStore } from './redis-buckets.js';
export { RequestTelemetry, createRequestSeries } from './request-telemetry.js';
export type { RequestLabels, RequestRecorder } from './request-telemetry.js';
export { IDENTITY_HEADERS } from './request-headers.js';
export { createGatewayServer, listen, ListenError, parseListenAddress } from './server.js';
export type { Http1Server } from './http1-server.js';
export type { ListenAddress } from './server.js';
