import { describe, expect, it } from 'vitest';
import { RequestSeries } from './request-series.js';

const OPTIONS = {
  counter: { name: 'requests', description: 'requests' },
  histogram: { name: 'duration', description: 'duration', unit: 's' },
  boundaries: [0.1, 1],
  idleExpiryMs: 3 * 60_000, // three sweeps
};

async function counts(series: RequestSeries): Promise<Record<string, number>> {
  const { resourceMetrics } = await series.collect();
  const counter = resourceMetrics.scopeMetrics[0]!.metrics[0]!;
  return Object.fromEntries(counter.dataPoints.map((p) => [String(p.attributes.revision), p.value as number]));
}

describe('RequestSeries', () => {
  it('aggregates a counter and a histogram per label set', async () => {
    const series = new RequestSeries(OPTIONS);
    series.record('a', () => ({ revision: 'r1' }), 0.05);
    series.record('a', () => ({ revision: 'r1' }), 0.5);
    series.record('b', () => ({ revision: 'r2' }), 2);
    expect(await counts(series)).toEqual({ r1: 2, r2: 1 });
    const histogram = (await series.collect()).resourceMetrics.scopeMetrics[0]!.metrics[1]!;
    expect(histogram.dataPoints.map((p) => (p.value as { buckets: { counts: number[] } }).buckets.counts)).toEqual([
      [1, 1, 0],
      [0, 0, 1],
    ]);
  });

  it('drops the series of a revision no longer served once idle, and keeps those still recorded', async () => {
    const series = new RequestSeries(OPTIONS);
    series.record('old', () => ({ revision: 'r1' }), 0.01);
    for (let minute = 0; minute < 5; minute++) {
      series.record('new', () => ({ revision: 'r2' }), 0.01);
      series.sweep();
      if (minute < 3) expect(series.size).toBe(2);
    }
    expect(series.size).toBe(1);
    expect(await counts(series)).toEqual({ r2: 5 });
  });

  it('a series that comes back after expiring starts from zero with a new start time (a counter reset)', async () => {
    const series = new RequestSeries(OPTIONS);
    series.record('a', () => ({ revision: 'r1' }), 0.01);
    series.record('a', () => ({ revision: 'r1' }), 0.01);
    const before = (await series.collect()).resourceMetrics.scopeMetrics[0]!.metrics[0]!.dataPoints[0]!.startTime;
    for (let i = 0; i < 4; i++) series.sweep();
    expect(series.size).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 5));
    series.record('a', () => ({ revision: 'r1' }), 0.01);
    const after = (await series.collect()).resourceMetrics.scopeMetrics[0]!.metrics[0]!.dataPoints[0]!;
    expect(after.value).toBe(1);
    expect(after.startTime).not.toEqual(before);
  });

  it('merged worker deltas keep a series alive like local records', async () => {
    const worker = new RequestSeries(OPTIONS, true);
    const primary = new RequestSeries(OPTIONS);
    for (let minute = 0; minute < 5; minute++) {
      worker.record('w', () => ({ revision: 'r9' }), 0.2);
      primary.merge(worker.drain());
      primary.sweep();
    }
    expect(await counts(primary)).toEqual({ r9: 5 });
  });
});
