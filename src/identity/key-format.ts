import { hash, randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';

// API keys look like `gg_<27 base62 chars: 160 random bits><6 base62 chars: CRC32 checksum>`.
// The prefix lets secret scanners recognise them; the checksum lets the gateway refuse a mistyped
// or invented key without a lookup (DESIGN.md, Identity).

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
export const KEY_PREFIX = 'gg_';
const RANDOM_BYTES = 20;
const RANDOM_CHARS = 27; // ceil(160 / log2(62))
const CHECKSUM_CHARS = 6; // 62^6 > 2^32
const KEY_LENGTH = KEY_PREFIX.length + RANDOM_CHARS + CHECKSUM_CHARS;
const KEY_SHAPE = /^gg_[0-9A-Za-z]{33}$/;
/** How much of a key is kept in clear to tell keys apart in listings. */
const VISIBLE_PREFIX = 8;

function base62(value: bigint, width: number): string {
  let out = '';
  let rest = value;
  for (let i = 0; i < width; i++) {
    out = ALPHABET[Number(rest % 62n)]! + out;
    rest /= 62n;
  }
  return out;
}

function checksum(body: string): string {
  let value = crc32(body);
  let out = '';
  for (let i = 0; i < CHECKSUM_CHARS; i++) {
    out = ALPHABET[value % 62]! + out;
    value = Math.floor(value / 62);
  }
  return out;
}

/** A new key: shown to its owner once, stored only as its hash. */
export function generateKey(): string {
  const body = base62(BigInt(`0x${randomBytes(RANDOM_BYTES).toString('hex')}`), RANDOM_CHARS);
  return `${KEY_PREFIX}${body}${checksum(body)}`;
}

/** Shape and checksum only: true does not mean the key exists. */
export function isWellFormedKey(key: string): boolean {
  if (key.length !== KEY_LENGTH || !KEY_SHAPE.test(key)) return false;
  const body = key.slice(KEY_PREFIX.length, KEY_PREFIX.length + RANDOM_CHARS);
  return checksum(body) === key.slice(KEY_PREFIX.length + RANDOM_CHARS);
}

/** SHA-256 (hex): how keys are stored and looked up. A key has 160 random bits: no salt needed. */
export function hashKey(key: string): string {
  // The one-shot crypto.hash skips creating a Hash object: a third of the lookup's cost.
  return hash('sha256', key, 'hex');
}

export function visiblePrefix(key: string): string {
  return key.slice(0, VISIBLE_PREFIX);
}
