import { randomBytes } from 'node:crypto';
import type { IdentityRepository, KeyRecord, UserRecord } from '../store/index.js';
import { identityError, ok, type IdentityResult } from './errors.js';
import { generateKey, hashKey, visiblePrefix } from './key-format.js';
import { hashPassword, MIN_PASSWORD_LENGTH, verifyPassword } from './password.js';

// Deliberately simple: one '@', no spaces, a dot in the domain. Mail delivery is not our job.
const EMAIL = /^[^\s@]{1,64}@[^\s@]+\.[^\s@]+$/;
const GROUP = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,62}$/;
const KEY_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Checks an email and groups as addUser does; the failure, or undefined when they are fine. */
export function validateIdentity(email: string, groups: readonly string[]): IdentityResult | undefined {
  if (!EMAIL.test(normalizeEmail(email))) return identityError('ERR_ID_EMAIL_INVALID', email);
  const bad = groups.find((group) => !GROUP.test(group));
  return bad === undefined ? undefined : identityError('ERR_ID_GROUP_INVALID', bad);
}

/** Verified when there is no user, so an unknown email takes as long as a wrong password. */
let decoyHash: Promise<string> | undefined;

export interface PublicUser {
  readonly email: string;
  readonly groups: readonly string[];
  readonly hasPassword: boolean;
  readonly createdAt: string;
}

/** Users, groups and API keys, validated; shared by the CLI, the portal and the admin API. */
export class IdentityService {
  readonly #repository: IdentityRepository;

  constructor(repository: IdentityRepository) {
    this.#repository = repository;
  }

  async addUser(email: string, groups: readonly string[], password?: string): Promise<IdentityResult> {
    const normalized = normalizeEmail(email);
    if (!EMAIL.test(normalized)) return identityError('ERR_ID_EMAIL_INVALID', email);
    const bad = groups.find((group) => !GROUP.test(group));
    if (bad !== undefined) return identityError('ERR_ID_GROUP_INVALID', bad);
    if (password !== undefined && password.length < MIN_PASSWORD_LENGTH) return identityError('ERR_ID_PASSWORD_WEAK', `at least ${MIN_PASSWORD_LENGTH} characters`);
    const passwordHash = password === undefined ? null : await hashPassword(password);
    if (!(await this.#repository.addUser({ email: normalized, groups, passwordHash }))) return identityError('ERR_ID_USER_EXISTS', normalized);
    return ok(undefined);
  }

  async setGroups(email: string, groups: readonly string[]): Promise<IdentityResult> {
    const bad = groups.find((group) => !GROUP.test(group));
    if (bad !== undefined) return identityError('ERR_ID_GROUP_INVALID', bad);
    if (!(await this.#repository.setGroups(normalizeEmail(email), groups))) return identityError('ERR_ID_USER_NOT_FOUND', email);
    return ok(undefined);
  }

  async setPassword(email: string, password: string): Promise<IdentityResult> {
    if (password.length < MIN_PASSWORD_LENGTH) return identityError('ERR_ID_PASSWORD_WEAK', `at least ${MIN_PASSWORD_LENGTH} characters`);
    if (!(await this.#repository.setPassword(normalizeEmail(email), await hashPassword(password)))) return identityError('ERR_ID_USER_NOT_FOUND', email);
    return ok(undefined);
  }

  /** The user when the password matches; undefined otherwise (no hint which part was wrong). */
  async authenticate(email: string, password: string): Promise<PublicUser | undefined> {
    const user = await this.#repository.findUser(normalizeEmail(email));
    if (user?.passwordHash == null) {
      // Answering at once would tell which emails have accounts: spend the same time as a check.
      decoyHash ??= hashPassword(randomBytes(16).toString('hex'));
      await verifyPassword(password, await decoyHash);
      return undefined;
    }
    return (await verifyPassword(password, user.passwordHash)) ? toPublic(user) : undefined;
  }

  async findUser(email: string): Promise<PublicUser | undefined> {
    const user = await this.#repository.findUser(normalizeEmail(email));
    return user === undefined ? undefined : toPublic(user);
  }

  async listUsers(): Promise<PublicUser[]> {
    return (await this.#repository.listUsers()).map(toPublic);
  }

  /** Creates a key and returns it: the only time it exists in clear. */
  async createKey(email: string, name: string): Promise<IdentityResult<string>> {
    if (!KEY_NAME.test(name)) return identityError('ERR_ID_KEY_NAME_INVALID', name);
    const key = generateKey();
    const result = await this.#repository.createKey({ email: normalizeEmail(email), name, keyHash: hashKey(key), prefix: visiblePrefix(key) });
    if (!result.ok) return identityError(result.reason === 'user-not-found' ? 'ERR_ID_USER_NOT_FOUND' : 'ERR_ID_KEY_NAME_TAKEN', result.reason === 'user-not-found' ? email : name);
    return ok(key);
  }

  listKeys(email?: string): Promise<KeyRecord[]> {
    return this.#repository.listKeys(email === undefined ? undefined : normalizeEmail(email));
  }

  async setSuspended(email: string, name: string, suspended: boolean): Promise<IdentityResult> {
    if (!(await this.#repository.setSuspended(normalizeEmail(email), name, suspended))) return identityError('ERR_ID_KEY_NOT_FOUND', `${email}/${name}`);
    return ok(undefined);
  }

  async deleteKey(email: string, name: string): Promise<IdentityResult> {
    if (!(await this.#repository.deleteKey(normalizeEmail(email), name))) return identityError('ERR_ID_KEY_NOT_FOUND', `${email}/${name}`);
    return ok(undefined);
  }
}

function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

function toPublic(user: UserRecord): PublicUser {
  return { email: user.email, groups: user.groups, hasPassword: user.passwordHash !== null, createdAt: user.createdAt };
}
