import type { IdentityRepository } from '../store/index.js';
import type { KeyIndex } from './key-index.js';

export interface KeySync {
  /** Reads changes now (also done every interval). */
  refresh(): Promise<void>;
  stop(): void;
}

/**
 * Keeps a KeyIndex in step with the store: a full load, then every `intervalMs` only the keys
 * changed since the last sequence number seen. Another process (the CLI, the portal) changing a
 * key is seen within one interval; the default keeps revocation well under a second.
 */
export async function startKeySync(repository: IdentityRepository, index: KeyIndex, options: { intervalMs?: number; onError?: (error: unknown) => void } = {}): Promise<KeySync> {
  let sequence = 0;
  let running: Promise<void> | undefined;
  const refresh = (): Promise<void> => {
    running ??= (async () => {
      try {
        const changes = await repository.changesSince(sequence);
        index.apply(changes.keys);
        sequence = changes.sequence;
      } finally {
        running = undefined;
      }
    })();
    return running;
  };
  await refresh();
  const timer = setInterval(() => {
    refresh().catch((error: unknown) => options.onError?.(error));
  }, options.intervalMs ?? 250);
  timer.unref();
  return { refresh, stop: () => clearInterval(timer) };
}
