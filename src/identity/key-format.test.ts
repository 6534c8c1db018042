import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateKey, hashKey, isWellFormedKey, KEY_PREFIX, visiblePrefix } from './key-format.js';

// DESIGN.md, Identity: `gg_<random><checksum>`, at least 128 random bits, a CRC32 checksum so a
// wrong key is refused without a lookup, stored only as SHA-256.

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const BODY_CHARS = 27;
const CHECKSUM_CHARS = 6;

/** CRC-32 (IEEE 802.3, as zlib), written out here so the test does not trust the code it checks. */
function referenceCrc32(text: string): number {
  let crc = 0xffffffff;
  for (const byte of Buffer.from(text, 'utf8')) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

function decodeBase62(text: string): bigint {
  let value = 0n;
  for (const char of text) value = value * 62n + BigInt(ALPHABET.indexOf(char));
  return value;
}

function encodeBase62(value: number, width: number): string {
  let out = '';
  let rest = value;
  for (let i = 0; i < width; i++) {
    out = ALPHABET[rest % 62]! + out;
    rest = Math.floor(rest / 62);
  }
  return out;
}

const bodyOf = (key: string) => key.slice(KEY_PREFIX.length, KEY_PREFIX.length + BODY_CHARS);
const checksumOf = (key: string) => key.slice(KEY_PREFIX.length + BODY_CHARS);

describe('generateKey', () => {
  it('has the gg_ prefix, a fixed length and only base62 characters', () => {
    for (let i = 0; i < 200; i++) {
      const key = generateKey();
      expect(key).toMatch(/^gg_[0-9A-Za-z]{33}$/);
      expect(key).toHaveLength(KEY_PREFIX.length + BODY_CHARS + CHECKSUM_CHARS);
      expect(isWellFormedKey(key)).toBe(true);
    }
  });

  it('ends with the CRC32 of its random part, in 6 base62 characters', () => {
    for (let i = 0; i < 200; i++) {
      const key = generateKey();
      expect(checksumOf(key)).toBe(encodeBase62(referenceCrc32(bodyOf(key)), CHECKSUM_CHARS));
    }
  });

  it('carries 160 random bits: every bit position varies across keys, none above bit 159', () => {
    const seenSet = new Array<boolean>(160).fill(false);
    const seenClear = new Array<boolean>(160).fill(false);
    const keys = new Set<string>();
    for (let i = 0; i < 400; i++) {
      const key = generateKey();
      keys.add(key);
      const value = decodeBase62(bodyOf(key));
      expect(value < 1n << 160n).toBe(true);
      for (let bit = 0; bit < 160; bit++) {
        if ((value >> BigInt(bit)) & 1n) seenSet[bit] = true;
        else seenClear[bit] = true;
      }
    }
    expect(keys.size).toBe(400);
    expect(seenSet.every(Boolean)).toBe(true);
    expect(seenClear.every(Boolean)).toBe(true);
  });
});

describe('isWellFormedKey', () => {
  it('refuses every one-character change of a valid key', () => {
    const key = generateKey();
    let changes = 0;
    for (let position = 0; position < key.length; position++) {
      for (const char of `${ALPHABET}_-`) {
        if (char === key[position]) continue;
        const changed = key.slice(0, position) + char + key.slice(position + 1);
        changes++;
        expect(isWellFormedKey(changed), `${changed} (position ${position})`).toBe(false);
      }
    }
    expect(changes).toBeGreaterThan(2000);
  });

  it('refuses a swap of two adjacent different characters', () => {
    const key = generateKey();
    for (let position = KEY_PREFIX.length; position < key.length - 1; position++) {
      if (key[position] === key[position + 1]) continue;
      const swapped = key.slice(0, position) + key[position + 1] + key[position] + key.slice(position + 2);
      expect(isWellFormedKey(swapped), swapped).toBe(false);
    }
  });

  it.each([
    ['empty', ''],
    ['prefix only', 'gg_'],
    ['one character short', (k: string) => k.slice(0, -1)],
    ['one character long', (k: string) => `${k}0`],
    ['another prefix', (k: string) => `xx_${k.slice(3)}`],
    ['upper-case prefix', (k: string) => `GG_${k.slice(3)}`],
    ['leading space', (k: string) => ` ${k}`],
    ['trailing newline', (k: string) => `${k}\n`],
    ['Bearer included', (k: string) => `Bearer ${k}`],
    ['a non-ASCII digit', (k: string) => `${k.slice(0, -1)}\u0661`],
  ] as const)('refuses a malformed key: %s', (_name, make) => {
    const key = typeof make === 'string' ? make : make(generateKey());
    expect(isWellFormedKey(key)).toBe(false);
  });

  it('accepts a key built by hand with the right checksum, and only that checksum', () => {
    const body = 'A'.repeat(BODY_CHARS);
    const right = encodeBase62(referenceCrc32(body), CHECKSUM_CHARS);
    expect(isWellFormedKey(`gg_${body}${right}`)).toBe(true);
    const wrong = encodeBase62((referenceCrc32(body) + 1) % 2 ** 32, CHECKSUM_CHARS);
    expect(isWellFormedKey(`gg_${body}${wrong}`)).toBe(false);
  });
});

describe('hashKey', () => {
  it('is the SHA-256 of the key, in lower-case hex', () => {
    const key = generateKey();
    expect(hashKey(key)).toBe(createHash('sha256').update(key, 'utf8').digest('hex'));
    expect(hashKey(key)).toMatch(/^[0-9a-f]{64}$/);
    // FIPS 180-2 test vector.
    expect(hashKey('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('differs for keys that differ in one character', () => {
    const key = generateKey();
    const other = key.slice(0, -1) + (key.endsWith('0') ? '1' : '0');
    expect(hashKey(other)).not.toBe(hashKey(key));
  });
});

describe('visiblePrefix', () => {
  it('keeps the prefix and a few characters, never enough to be the key', () => {
    const key = generateKey();
    const prefix = visiblePrefix(key);
    expect(key.startsWith(prefix)).toBe(true);
    expect(prefix.startsWith(KEY_PREFIX)).toBe(true);
    expect(prefix.length).toBeLessThanOrEqual(KEY_PREFIX.length + 8);
  });
});
