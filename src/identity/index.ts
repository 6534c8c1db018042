/** Consumers, groups and API keys: key format and hashing, the in-memory key index and its sync. */
export { IdentityService, validateIdentity } from './identity-service.js';
export type { PublicUser } from './identity-service.js';
export { KeyIndex } from './key-index.js';
export type { Consumer, KeyLookup } from './key-index.js';
export { startKeySync } from './key-sync.js';
export type { KeySync } from './key-sync.js';
export { generateKey, hashKey, isWellFormedKey, KEY_PREFIX } from './key-format.js';
export { hashPassword, verifyPassword, MIN_PASSWORD_LENGTH } from './password.js';
export { IDENTITY_ERRORS, identityError } from './errors.js';
export type { IdentityErrorCode, IdentityResult } from './errors.js';
export { createLastUsedRecorder } from './last-used.js';
export type { LastUsedRecorder } from './last-used.js';
