import type { Consumer } from '../identity/index.js';
import type { UsageRepository, UsageRow, UsageSecondRow } from '../store/index.js';

/** Usage is kept this long (the impact analysis reads the last weeks). */
export const USAGE_RETENTION_DAYS = 30;
/** Per-second counts, for replaying traffic through a new rate limit, are kept a day. */
export const SECONDS_RETENTION_S = 86_400;

export interface UsageRecorder {
  record(api: string, operation: string, consumer: Consumer): void;
  flush(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Counts requests per hour, API, operation set, consumer and key in memory and adds them to the
 * store every interval: one upsert per active combination, not one write per request.
 */
export function createUsageRecorder(repository: UsageRepository, intervalMs = 10_000, now: () => number = Date.now): UsageRecorder {
  let counts = new Map<string, number>();
  let perSecond = new Map<string, number>();
  let lastPrune = 0;
  let hour = hourOf(now());
  let second = Math.floor(now() / 1000);
  const hourTimer = setInterval(() => {
    hour = hourOf(now());
    second = Math.floor(now() / 1000);
  }, 250);
  hourTimer.unref();
  const flush = async () => {
    if (counts.size > 0 || perSecond.size > 0) {
      const batch = counts;
      const seconds = perSecond;
      counts = new Map();
      perSecond = new Map();
      const rows: UsageRow[] = [...batch].map(([key, requests]) => {
        const [h, api, operation, email, keyName] = key.split('\0') as [string, string, string, string, string];
        return { hour: h, api, operation, email, keyName, requests };
      });
      const secondRows: UsageSecondRow[] = [...seconds].map(([key, requests]) => {
        const [s, api, email, keyName] = key.split('\0') as [string, string, string, string];
        return { second: Number(s), api, email, keyName, requests };
      });
      await repository.add(rows, secondRows);
    }
    if (now() - lastPrune > 3_600_000) {
      lastPrune = now();
      await repository.prune(hourOf(now() - USAGE_RETENTION_DAYS * 86_400_000));
      await repository.pruneSeconds(Math.floor(now() / 1000) - SECONDS_RETENTION_S);
    }
  };
  const timer = setInterval(() => void flush().catch(() => undefined), intervalMs);
  timer.unref();
  return {
    record(api, operation, consumer) {
      const key = `${hour}\0${api}\0${operation}\0${consumer.email}\0${consumer.keyName}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
      const perKey = `${second}\0${api}\0${consumer.email}\0${consumer.keyName}`;
      perSecond.set(perKey, (perSecond.get(perKey) ?? 0) + 1);
    },
    flush,
    stop: async () => {
      clearInterval(timer);
      clearInterval(hourTimer);
      await flush();
    },
  };
}

/** `2026-11-26T14:00:00Z` */
export function hourOf(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 13)}:00:00Z`;
}
