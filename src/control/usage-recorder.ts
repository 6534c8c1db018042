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
/**
 * Counts requests per hour, API, operation set, consumer and key in memory and adds them to the
 * store every interval: one upsert per active combination, not one write per request. On the
 * hot path a request costs two Map updates keyed by the consumer object and the API, with no
 * string built; the hour and the second are whole buckets swapped by a timer.
 */
export function createUsageRecorder(repository: UsageRepository, intervalMs = 10_000, now: () => number = Date.now): UsageRecorder {
  type PerConsumer = Map<Consumer, Map<string, Map<string, number>>>; // consumer → api → operation → n
  type PerSecond = Map<Consumer, Map<string, number>>; // consumer → api → n
  let hour = hourOf(now());
  let second = Math.floor(now() / 1000);
  let hourCounts: PerConsumer = new Map();
  let secondCounts: PerSecond = new Map();
  let doneHours: { hour: string; counts: PerConsumer }[] = [];
  let doneSeconds: { second: number; counts: PerSecond }[] = [];
  let lastPrune = 0;
  const clock = setInterval(() => {
    const nowHour = hourOf(now());
    const nowSecond = Math.floor(now() / 1000);
    if (nowSecond !== second) {
      if (secondCounts.size > 0) doneSeconds.push({ second, counts: secondCounts });
      secondCounts = new Map();
      second = nowSecond;
    }
    if (nowHour !== hour) {
      if (hourCounts.size > 0) doneHours.push({ hour, counts: hourCounts });
      hourCounts = new Map();
      hour = nowHour;
    }
  }, 100);
  clock.unref();
  const flush = async () => {
    // The current hour is flushed as it is so far (the store adds counts up).
    const hours = [...doneHours, { hour, counts: hourCounts }];
    const seconds = [...doneSeconds, { second, counts: secondCounts }];
    doneHours = [];
    doneSeconds = [];
    hourCounts = new Map();
    secondCounts = new Map();
    const rows: UsageRow[] = [];
    for (const { hour: h, counts } of hours) {
      for (const [consumer, apis] of counts) {
        for (const [api, operations] of apis) {
          for (const [operation, requests] of operations) rows.push({ hour: h, api, operation, email: consumer.email, keyName: consumer.keyName, requests });
        }
      }
    }
    const secondRows: UsageSecondRow[] = [];
    for (const { second: s, counts } of seconds) {
      for (const [consumer, apis] of counts) for (const [api, requests] of apis) secondRows.push({ second: s, api, email: consumer.email, keyName: consumer.keyName, requests });
    }
    if (rows.length > 0 || secondRows.length > 0) await repository.add(rows, secondRows);
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
      let apis = hourCounts.get(consumer);
      if (apis === undefined) hourCounts.set(consumer, (apis = new Map()));
      let operations = apis.get(api);
      if (operations === undefined) apis.set(api, (operations = new Map()));
      operations.set(operation, (operations.get(operation) ?? 0) + 1);
      let perApi = secondCounts.get(consumer);
      if (perApi === undefined) secondCounts.set(consumer, (perApi = new Map()));
      perApi.set(api, (perApi.get(api) ?? 0) + 1);
    },
    flush,
    stop: async () => {
      clearInterval(timer);
      clearInterval(clock);
      await flush();
    },
  };
}

/** `2026-11-26T14:00:00Z` */
export function hourOf(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 13)}:00:00Z`;
}
