import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

// scrypt with N=2^15, r=8, p=1 (OWASP's minimum for scrypt), a 16-byte salt and a 32-byte hash,
// stored as `scrypt$15$8$1$<salt>$<hash>` so the cost can be raised without breaking old hashes.
const LOG_N = 15;
const R = 8;
const P = 1;
const KEY_LENGTH = 32;

function derive(password: string, salt: Buffer, logN: number, r: number, p: number): Promise<Buffer> {
  const options: ScryptOptions = { N: 2 ** logN, r, p, maxmem: 256 * 2 ** logN * r };
  return new Promise((resolve, reject) => scrypt(password.normalize('NFKC'), salt, KEY_LENGTH, options, (error, key) => (error ? reject(error) : resolve(key))));
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await derive(password, salt, LOG_N, R, P);
  return ['scrypt', LOG_N, R, P, salt.toString('base64url'), hash.toString('base64url')].join('$');
}

/**
 * False for a wrong password and for a stored value that is not exactly what hashPassword
 * writes: a tampered hash must neither throw (a 500 at login) nor ask scrypt for gigabytes.
 */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const fields = stored.split('$');
  if (fields.length !== 6 || fields[0] !== 'scrypt') return false;
  const [logN, r, p] = fields.slice(1, 4).map((field) => (/^\d{1,2}$/.test(field) ? Number(field) : NaN)) as [number, number, number];
  if (!(logN >= 14 && logN <= 20 && r >= 1 && r <= 16 && p >= 1 && p <= 4)) return false;
  const expected = Buffer.from(fields[5]!, 'base64url');
  if (expected.length !== KEY_LENGTH) return false;
  try {
    const actual = await derive(password, Buffer.from(fields[4]!, 'base64url'), logN, r, p);
    return timingSafeEqual(actual, expected);
  } catch {
    return false;
  }
}

/** Passwords shorter than this are refused. */
export const MIN_PASSWORD_LENGTH = 10;
