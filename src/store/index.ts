/**
 * Persistence: SQLite in the data directory by default (PostgreSQL for scale-out comes behind
 * the same interfaces). Only this module imports the database drivers.
 */
export { openStore } from './store.js';
export type { Store, StoreOptions } from './store.js';
export type { CreateKeyResult, IdentityChanges, IdentityRepository, KeyRecord, KeyState, UserRecord } from './identity-repository.js';
export { SQLITE_FILE } from './sqlite.js';
export type { DeploymentRecord, DeploymentRepository, DeploymentResult, NewDeployment } from './deployment-repository.js';
export type { UsageRepository, UsageRow, UsageSecondRow } from './usage-repository.js';
export type { Invitation, PortalRepository } from './portal-repository.js';
