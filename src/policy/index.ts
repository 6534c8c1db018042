/**
 * The policy compiler: from a ResourceGraph to what a gateway enforces. The analyzer's rules and
 * the impact analysis use the same functions, so lint, reports and traffic agree.
 */
export { translateRegex } from './regex.js';
export type { CompiledRegex, RegexResult } from './regex.js';
export { joinPrefixes, routesOfGateway } from './routes.js';
export type { Conditions, RouteDefinition } from './routes.js';
export { compile, moreRestrictive } from './compile.js';
export type { CompileOptions } from './compile.js';
export { resolveBackend } from './backend.js';
export type * from './runtime-config.js';
export { splitConfig, ConfigAssembler } from './config-chunks.js';
export type { ConfigChunk } from './config-chunks.js';
export { effectiveLimit, grantFor } from './consumer-view.js';
