/**
 * OpenAPI contract changes: the OpenAPI document an API names in its `gitgate.io/openapi`
 * annotation (a ConfigMap key or a file of the repository), and the breaking changes between
 * two revisions of it. Reads the model only; the caller supplies file contents.
 */
export { contractChanges } from './contract-diff.js';
export { OPENAPI_ANNOTATION, openApiDocuments } from './documents.js';
export type { OpenApiDocument, ReadFile } from './documents.js';
export { parseOpenApi } from './parse.js';
export type { ParsedOpenApi } from './parse.js';
export type { ContractChange, ContractChangeKind } from './types.js';
