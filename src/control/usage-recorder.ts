import type { Consumer } from '../identity/index.js';
import type { UsageRepository, UsageRow } from '../store/index.js';

/** Usage is kept this long (the impact analysis reads the last weeks). */
export const USAGE_RETENTION_DAYS = 30;

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
  let lastPrune = 0;
  let hour = hourOf(now());
  const hourTimer = setInterval(() => (hour = hourOf(now())), 1000);
  hourTimer.unref();
  const flush = async () => {
    if (counts.size > 0) {
      const batch = counts;
      counts = new Map();
      const rows: UsageRow[] = [...batch].map(([key, requests]) => {
        const [h, api, operation, email, keyName] = key.split('\0') as [string, string, string, string, string];
        return { hour: h, api, operation, email, keyName, requests };
      });
      await repository.add(rows);
    }
    if (now() - lastPrune > 3_600_000) {
      lastPrune = now();
      await repository.prune(hourOf(now() - USAGE_RETENTION_DAYS * 86_400_000));
    }
  };
  const timer = setInterval(() => void flush().catch(() => undefined), intervalMs);
  timer.unref();
  return {
    record(api, operation, consumer) {
      const key = `${hour}\0${api}\0${operation}\0${consumer.email}\0${consumer.keyName}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
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
