import type { IdentityRepository } from '../store/index.js';
import type { Consumer } from './key-index.js';

export interface LastUsedRecorder {
  record(consumer: Consumer): void;
  flush(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Remembers when each key was last used and writes it to the store in batches: one write per
 * key per interval instead of one per request.
 */
export function createLastUsedRecorder(repository: IdentityRepository, intervalMs = 10_000): LastUsedRecorder {
  let pending = new Map<string, string>();
  let clock = new Date().toISOString();
  const flush = async () => {
    if (pending.size === 0) return;
    const batch = pending;
    pending = new Map();
    try {
      await repository.touchKeys(batch);
    } catch (error) {
      // Keep what failed for the next flush, unless newer uses replaced it meanwhile.
      for (const [hash, at] of batch) if (!pending.has(hash)) pending.set(hash, at);
      throw error;
    }
  };
  // The time is refreshed once a second rather than formatted per request.
  const tick = setInterval(() => (clock = new Date().toISOString()), 1000);
  const timer = setInterval(() => void flush().catch(() => undefined), intervalMs);
  tick.unref();
  timer.unref();
  return {
    record: (consumer) => void pending.set(consumer.keyHash, clock),
    flush,
    stop: async () => {
      clearInterval(tick);
      clearInterval(timer);
      await flush();
    },
  };
}
