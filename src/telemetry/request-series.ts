import { hrTime } from '@opentelemetry/core';
import type { Attributes, HrTime } from '@opentelemetry/api';
import { ValueType } from '@opentelemetry/api';
import { emptyResource } from '@opentelemetry/resources';
import { AggregationTemporality, DataPointType, type CollectionResult, type MetricData, type MetricProducer } from '@opentelemetry/sdk-metrics';

/** Counts of one label set since the last drain: what a worker sends its primary. */
export interface SeriesDelta {
  readonly key: string;
  readonly attributes: Attributes;
  readonly count: number;
  readonly sum: number;
  readonly buckets: readonly number[];
}

export interface RequestSeriesOptions {
  readonly counter: { readonly name: string; readonly description: string };
  readonly histogram: { readonly name: string; readonly description: string; readonly unit: string };
  /** Histogram bucket upper bounds, ascending. */
  readonly boundaries: readonly number[];
  /**
   * A series nothing recorded for this long is dropped (default 15 minutes). Label sets carry the
   * config revision, so every revision starts new series: without this, a gateway following a
   * busy repository would keep the series of every revision it ever served.
   */
  readonly idleExpiryMs?: number;
}

/** How often idle series are looked for; also the resolution of the idle time. */
const SWEEP_INTERVAL_MS = 60_000;

interface Entry {
  readonly attributes: Attributes;
  readonly start: HrTime;
  count: number;
  sum: number;
  min: number;
  max: number;
  readonly buckets: number[];
  /** The sweep count when it was last recorded (a coarse clock: no time read per request). */
  touched: number;
}

/**
 * A request counter and duration histogram sharing one label set, aggregated by hand on the hot
 * path (a Map lookup by a prebuilt key and a few additions) and handed to OpenTelemetry as a
 * MetricProducer when a reader collects. The instruments' own record() hashes every attribute
 * set twice per request, which the gateway benchmark measured at ~4 µs; this costs ~0.3 µs.
 */
export class RequestSeries implements MetricProducer {
  readonly #options: RequestSeriesOptions;
  readonly #series = new Map<string, Entry>();
  /** What changed since the last drain (workers only). */
  #pending: Map<string, { attributes: Attributes; count: number; sum: number; buckets: number[] }> | undefined;
  #sweeps = 0;
  readonly #maxIdleSweeps: number;

  constructor(options: RequestSeriesOptions, trackDeltas = false) {
    this.#options = options;
    if (trackDeltas) this.#pending = new Map();
    this.#maxIdleSweeps = Math.max(1, Math.ceil((options.idleExpiryMs ?? 15 * 60_000) / SWEEP_INTERVAL_MS));
    setInterval(() => this.sweep(), SWEEP_INTERVAL_MS).unref();
  }

  /** Drops the series nothing recorded for the idle expiry (called every minute). */
  sweep(): void {
    this.#sweeps++;
    for (const [key, entry] of this.#series) if (this.#sweeps - entry.touched > this.#maxIdleSweeps) this.#series.delete(key);
  }

  /** Label sets currently kept. */
  get size(): number {
    return this.#series.size;
  }

  /** Records one request; `attributes` is read only the first time a key is seen. */
  record(key: string, attributes: () => Attributes, seconds: number): void {
    let entry = this.#series.get(key);
    if (entry === undefined) {
      entry = this.#newEntry(attributes());
      this.#series.set(key, entry);
    }
    entry.touched = this.#sweeps;
    const bucket = this.#bucketOf(seconds);
    entry.count++;
    entry.sum += seconds;
    if (seconds < entry.min) entry.min = seconds;
    if (seconds > entry.max) entry.max = seconds;
    entry.buckets[bucket]!++;
    const pending = this.#pending;
    if (pending !== undefined) {
      let delta = pending.get(key);
      if (delta === undefined) pending.set(key, (delta = { attributes: entry.attributes, count: 0, sum: 0, buckets: new Array<number>(entry.buckets.length).fill(0) }));
      delta.count++;
      delta.sum += seconds;
      delta.buckets[bucket]!++;
    }
  }

  /** Returns and forgets what changed since the last drain. */
  drain(): SeriesDelta[] {
    if (this.#pending === undefined || this.#pending.size === 0) return [];
    const out = [...this.#pending].map(([key, d]) => ({ key, ...d }));
    this.#pending = new Map();
    return out;
  }

  /** Adds a worker's deltas. */
  merge(deltas: readonly SeriesDelta[]): void {
    for (const delta of deltas) {
      let entry = this.#series.get(delta.key);
      if (entry === undefined) {
        entry = this.#newEntry(delta.attributes);
        this.#series.set(delta.key, entry);
      }
      entry.touched = this.#sweeps;
      entry.count += delta.count;
      entry.sum += delta.sum;
      delta.buckets.forEach((n, i) => (entry.buckets[i]! += n));
    }
  }

  #newEntry(attributes: Attributes): Entry {
    // A series that comes back after expiring starts again from zero with a new start time,
    // which is how a cumulative counter reports a reset.
    return { attributes, start: hrTime(), count: 0, sum: 0, min: Infinity, max: -Infinity, buckets: new Array<number>(this.#options.boundaries.length + 1).fill(0), touched: this.#sweeps };
  }

  #bucketOf(value: number): number {
    const boundaries = this.#options.boundaries;
    for (let i = 0; i < boundaries.length; i++) if (value <= boundaries[i]!) return i;
    return boundaries.length;
  }

  async collect(): Promise<CollectionResult> {
    const now = hrTime();
    const series = [...this.#series.values()];
    const metrics: MetricData[] = [
      {
        descriptor: { name: this.#options.counter.name, description: this.#options.counter.description, unit: '', valueType: ValueType.INT },
        aggregationTemporality: AggregationTemporality.CUMULATIVE,
        dataPointType: DataPointType.SUM,
        isMonotonic: true,
        dataPoints: series.map((s) => ({ attributes: s.attributes, startTime: s.start, endTime: now, value: s.count })),
      },
      {
        descriptor: { name: this.#options.histogram.name, description: this.#options.histogram.description, unit: this.#options.histogram.unit, valueType: ValueType.DOUBLE },
        aggregationTemporality: AggregationTemporality.CUMULATIVE,
        dataPointType: DataPointType.HISTOGRAM,
        dataPoints: series.map((s) => ({
          attributes: s.attributes,
          startTime: s.start,
          endTime: now,
          value: {
            buckets: { boundaries: [...this.#options.boundaries], counts: [...s.buckets] },
            sum: s.sum,
            count: s.count,
            ...(s.count > 0 && Number.isFinite(s.min) ? { min: s.min, max: s.max } : {}),
          },
        })),
      },
    ];
    return { resourceMetrics: { resource: emptyResource(), scopeMetrics: [{ scope: { name: 'gitgate' }, metrics }] }, errors: [] };
  }
}
