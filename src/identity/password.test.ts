import { describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from './password.js';

const PASSWORD = 'correct horse battery staple';

describe('hashPassword', () => {
  it('stores scrypt with its parameters, a 16-byte salt and a 32-byte hash', async () => {
    const stored = await hashPassword(PASSWORD);
    const [scheme, logN, r, p, salt, hash, ...rest] = stored.split('$');
    expect([scheme, logN, r, p]).toEqual(['scrypt', '15', '8', '1']);
    expect(Buffer.from(salt!, 'base64url')).toHaveLength(16);
    expect(Buffer.from(hash!, 'base64url')).toHaveLength(32);
    expect(rest).toEqual([]);
    expect(stored).not.toContain(PASSWORD);
  });

  it('salts: the same password hashes differently each time', async () => {
    const [a, b] = await Promise.all([hashPassword(PASSWORD), hashPassword(PASSWORD)]);
    expect(a).not.toBe(b);
    expect(await verifyPassword(PASSWORD, a)).toBe(true);
    expect(await verifyPassword(PASSWORD, b)).toBe(true);
  });
});

describe('verifyPassword', () => {
  it('accepts the right password and refuses a wrong one', async () => {
    const stored = await hashPassword(PASSWORD);
    expect(await verifyPassword(PASSWORD, stored)).toBe(true);
    expect(await verifyPassword(`${PASSWORD} `, stored)).toBe(false);
    expect(await verifyPassword(PASSWORD.toUpperCase(), stored)).toBe(false);
    expect(await verifyPassword('', stored)).toBe(false);
  });

  it('compares Unicode passwords in NFKC form, so the same text typed two ways matches', async () => {
    const composed = 'caf\u00e9 au lait, s\u2019il vous pla\u00eet';
    const decomposed = composed.normalize('NFD');
    expect(decomposed).not.toBe(composed);
    const stored = await hashPassword(composed);
    expect(await verifyPassword(decomposed, stored)).toBe(true);
  });

  describe('a tampered or malformed stored hash is refused, never accepted and never thrown', () => {
    const tamper: readonly (readonly [string, (parts: string[]) => string])[] = [
      ['one character of the hash changed', (p) => [...p.slice(0, 5), flip(p[5]!)].join('$')],
      ['one character of the salt changed', (p) => [...p.slice(0, 4), flip(p[4]!), p[5]].join('$')],
      ['the hash truncated', (p) => [...p.slice(0, 5), p[5]!.slice(0, 20)].join('$')],
      ['the hash empty', (p) => [...p.slice(0, 5), ''].join('$')],
      ['the hash missing', (p) => p.slice(0, 5).join('$')],
      ['another scheme', (p) => ['bcrypt', ...p.slice(1)].join('$')],
      ['empty', () => ''],
      ['a lower cost', (p) => [p[0], '14', ...p.slice(2)].join('$')],
      // Parameters that are not numbers, or that scrypt refuses, must not turn into an exception
      // (a login would answer 500) nor into a huge allocation.
      ['N not a number', (p) => [p[0], 'x', ...p.slice(2)].join('$')],
      ['N zero', (p) => [p[0], '0', ...p.slice(2)].join('$')],
      ['N absurdly large', (p) => [p[0], '40', ...p.slice(2)].join('$')],
      ['r zero', (p) => [...p.slice(0, 2), '0', ...p.slice(3)].join('$')],
      ['p not a number', (p) => [...p.slice(0, 3), '', ...p.slice(4)].join('$')],
      ['an extra field', (p) => [...p, 'extra'].join('$')],
    ];
    it.each(tamper)('%s', async (_name, change) => {
      const stored = await hashPassword(PASSWORD);
      const tampered = change(stored.split('$'));
      expect(tampered).not.toBe(stored);
      await expect(verifyPassword(PASSWORD, tampered)).resolves.toBe(false);
    });
  });
});

/** Changes one base64url character in the middle, keeping the text valid base64url. */
function flip(text: string): string {
  const at = Math.floor(text.length / 2);
  const replacement = text[at] === 'A' ? 'B' : 'A';
  return text.slice(0, at) + replacement + text.slice(at + 1);
}
