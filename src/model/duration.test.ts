import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from './duration.js';

describe('parseDuration', () => {
  const valid: readonly [string, number][] = [
    ['500ms', 500],
    ['5s', 5000],
    ['1m', 60_000],
    ['1h', 3_600_000],
    ['1m30s', 90_000],
    ['2h45m', 9_900_000],
    ['1h0m0s', 3_600_000],
    ['1.5s', 1500],
    ['.5s', 500],
    ['1.s', 1000],
    ['0', 0],
    ['0s', 0],
    ['1000000ns', 1],
    ['1000us', 1],
    ['1000\u00b5s', 1], // micro sign
    ['1000\u03bcs', 1], // Greek mu: Go accepts both
    ['1s500ms', 1500],
    ['1h1h', 7_200_000], // Go sums repeated units
  ];
  for (const [text, ms] of valid) {
    it(`"${text}" is ${ms} ms`, () => {
      expect(parseDuration(text)).toBeCloseTo(ms, 9);
    });
  }

  const invalid = ['', '5', '05', 'ms', 's', '.s', '.', '5 s', ' 5s', '5s ', '5S', '5Ms', '1d', '1w', '1y', '1..5s', '1s5', '1e3ms', 's5', '5sec', '1m 30s', '0x10s', 'NaN', 'Infinitys'];
  for (const text of invalid) {
    it(`"${text}" is not a duration`, () => {
      expect(parseDuration(text)).toBeUndefined();
    });
  }
});

describe('formatDuration', () => {
  const cases: readonly [number, string][] = [
    [0, '0s'],
    [500, '500ms'],
    [1000, '1s'],
    [5000, '5s'],
    [60_000, '1m'],
    [90_000, '1m30s'],
    [3_600_000, '1h'],
    [7_200_000, '2h'],
    [3_661_500, '1h1m1s500ms'],
    [3_600_001, '1h1ms'],
  ];
  for (const [ms, text] of cases) {
    it(`${ms} ms is "${text}"`, () => {
      expect(formatDuration(ms)).toBe(text);
    });
  }

  it('what it writes parses back to the same number', () => {
    for (const ms of [0, 1, 999, 1000, 1001, 59_999, 60_000, 61_000, 3_599_999, 3_600_000, 86_400_000, 90_061_001]) {
      expect(parseDuration(formatDuration(ms)), String(ms)).toBe(ms);
    }
  });
});
