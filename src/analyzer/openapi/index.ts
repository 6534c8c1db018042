/**
 * OpenAPI contract changes: the OpenAPI document an API names in its `gitgate.io/openapi`
 * annotation (a key of a ConfigMap, or a file of the repository), and what changed in the
 * contract between two revisions of it. Reads the model only; the caller reads the files.
 */
export { contractChanges } from './contract-diff.js';
export { OPENAPI_ANNOTATION, openApiDocuments } from './documents.js';
export type { OpenApiDocument, ReadFile } from './documents.js';
export type { ContractChange, ContractChangeKind } from './types.js';
