import type { KeyState } from '../store/index.js';
import { hashKey, isWellFormedKey } from './key-format.js';

/** Who is calling: what the gateway needs after a key check. */
export interface Consumer {
  readonly email: string;
  readonly keyName: string;
  readonly groups: readonly string[];
  /** SHA-256 of the key, to record its last use without keeping the key. */
  readonly keyHash: string;
  /** The consumer's part of a metrics key (email and key name), built once. */
  readonly metricKey: string;
}

/** What a gateway asks of identity: a key in, a consumer (or nothing) out. */
export interface KeyLookup {
  lookup(key: string): Consumer | undefined;
}

/**
 * The in-memory index of live keys by hash. Lookups are synchronous: the checksum refuses a
 * malformed key first, then one SHA-256 and one Map read.
 */
export class KeyIndex implements KeyLookup {
  readonly #byHash = new Map<string, Consumer>();

  lookup(key: string): Consumer | undefined {
    if (!isWellFormedKey(key)) return undefined;
    return this.#byHash.get(hashKey(key));
  }

  /** Applies changes from the store: suspended and deleted keys leave the index. */
  apply(keys: readonly KeyState[]): void {
    for (const key of keys) {
      if (key.deleted || key.suspended) this.#byHash.delete(key.keyHash);
      else {
        this.#byHash.set(key.keyHash, { email: key.email, keyName: key.name, groups: Object.freeze([...key.groups]), keyHash: key.keyHash, metricKey: `${key.email}\0${key.name}` });
      }
    }
  }

  get size(): number {
    return this.#byHash.size;
  }
}
