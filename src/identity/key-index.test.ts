import { describe, expect, it } from 'vitest';
import type { KeyState } from '../store/index.js';
import { generateKey, hashKey } from './key-format.js';
import { KeyIndex } from './key-index.js';

function state(key: string, changes: Partial<KeyState> = {}): KeyState {
  return { keyHash: hashKey(key), email: 'ada@example.com', name: 'laptop', groups: ['crm-user'], suspended: false, deleted: false, ...changes };
}

describe('KeyIndex', () => {
  it('finds a live key and returns its consumer', () => {
    const index = new KeyIndex();
    const key = generateKey();
    index.apply([state(key, { groups: ['b', 'a'] })]);
    expect(index.lookup(key)).toEqual({ email: 'ada@example.com', keyName: 'laptop', groups: ['b', 'a'], keyHash: hashKey(key), metricKey: 'ada@example.com\0laptop' });
    expect(index.size).toBe(1);
  });

  it('does not know a well-formed key that was never added', () => {
    const index = new KeyIndex();
    index.apply([state(generateKey())]);
    expect(index.lookup(generateKey())).toBeUndefined();
  });

  it('refuses a malformed key without a map read, even when its hash is in the index', () => {
    const index = new KeyIndex();
    const key = generateKey();
    // The same key with a broken checksum: if the index looked it up by hash, it would be found.
    const badChecksum = key.slice(0, -1) + (key.endsWith('0') ? '1' : '0');
    const notAKey = 'hello';
    index.apply([state(badChecksum, { name: 'bad-checksum' }), state(notAKey, { name: 'not-a-key' })]);
    expect(index.size).toBe(2);
    expect(index.lookup(badChecksum)).toBeUndefined();
    expect(index.lookup(notAKey)).toBeUndefined();
  });

  it.each([
    ['suspended', { suspended: true }],
    ['deleted', { deleted: true }],
    ['deleted while suspended', { suspended: true, deleted: true }],
  ] as const)('drops a key that is %s', (_name, change) => {
    const index = new KeyIndex();
    const key = generateKey();
    const other = generateKey();
    index.apply([state(key), state(other, { name: 'other' })]);
    index.apply([state(key, change)]);
    expect(index.lookup(key)).toBeUndefined();
    expect(index.lookup(other)?.keyName).toBe('other');
    expect(index.size).toBe(1);
  });

  it('takes a resumed key back, with its current groups', () => {
    const index = new KeyIndex();
    const key = generateKey();
    index.apply([state(key)]);
    index.apply([state(key, { suspended: true })]);
    index.apply([state(key, { suspended: false, groups: ['admins'] })]);
    expect(index.lookup(key)?.groups).toEqual(['admins']);
  });

  it('applies changes in order: the last state of a key wins within one batch', () => {
    const index = new KeyIndex();
    const key = generateKey();
    index.apply([state(key), state(key, { suspended: true })]);
    expect(index.lookup(key)).toBeUndefined();
    index.apply([state(key, { suspended: true }), state(key, { groups: ['x'] })]);
    expect(index.lookup(key)?.groups).toEqual(['x']);
  });

  it('ignores a tombstone for a key it never had', () => {
    const index = new KeyIndex();
    index.apply([state(generateKey(), { deleted: true })]);
    expect(index.size).toBe(0);
  });

  it('hands out consumers whose groups cannot be changed by the caller or by the store', () => {
    const index = new KeyIndex();
    const key = generateKey();
    const groups = ['crm-user'];
    index.apply([state(key, { groups })]);
    groups.push('admins');
    const consumer = index.lookup(key)!;
    expect(consumer.groups).toEqual(['crm-user']);
    expect(Object.isFrozen(consumer.groups)).toBe(true);
    expect(() => (consumer.groups as string[]).push('admins')).toThrow(TypeError);
  });
});
