/** Identity error codes, each with the HTTP status a server answers with (docs/errors.md). */
export const IDENTITY_ERRORS = {
  ERR_ID_EMAIL_INVALID: { status: 400, message: 'the email address is not valid' },
  ERR_ID_GROUP_INVALID: { status: 400, message: 'a group name is not valid' },
  ERR_ID_KEY_NAME_INVALID: { status: 400, message: 'a key name is 1-64 letters, digits, dots, dashes or underscores' },
  ERR_ID_PASSWORD_WEAK: { status: 400, message: 'the password is too short' },
  ERR_ID_USER_EXISTS: { status: 409, message: 'a user with this email exists already' },
  ERR_ID_USER_NOT_FOUND: { status: 404, message: 'no user with this email' },
  ERR_ID_KEY_NAME_TAKEN: { status: 409, message: 'this user already has a key with this name' },
  ERR_ID_KEY_NOT_FOUND: { status: 404, message: 'no key with this name' },
} as const;

export type IdentityErrorCode = keyof typeof IDENTITY_ERRORS;

export type IdentityResult<T = void> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly code: IdentityErrorCode; readonly message: string };

/** The longest detail (the offending value) a message repeats: a client chooses it. */
const MAX_DETAIL = 80;

export function identityError(code: IdentityErrorCode, detail?: string): { ok: false; code: IdentityErrorCode; message: string } {
  if (detail === undefined) return { ok: false, code, message: IDENTITY_ERRORS[code].message };
  const shown = detail.length > MAX_DETAIL ? `${detail.slice(0, MAX_DETAIL)}… (${detail.length} characters)` : detail;
  return { ok: false, code, message: `${IDENTITY_ERRORS[code].message}: ${shown}` };
}

export function ok<T>(value: T): { ok: true; value: T } {
  return { ok: true, value };
}
