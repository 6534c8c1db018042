import { describe, expect, it } from 'vitest';
import { isSemver, normalizeRelease } from './semver.js';

describe('isSemver (semver.org 2.0.0, optional leading v)', () => {
  const valid = [
    '0.0.0',
    '1.2.3',
    'v1.2.3',
    'v2.1.0',
    '10.20.30',
    '1.0.0-alpha',
    '1.0.0-alpha.1',
    '1.0.0-0.3.7',
    '1.0.0-x.7.z.92',
    '1.0.0-x-y-z.--',
    '1.2.3-0',
    '1.2.3-0a',
    '1.0.0+20130313144700',
    '1.0.0-beta+exp.sha.5114f85',
    '1.0.0+21AF26D3----117B344092BD',
    '1.2.3+001',
    '99999999999999999999.0.0',
  ];
  for (const text of valid) {
    it(`accepts ${text}`, () => {
      expect(isSemver(text)).toBe(true);
    });
  }

  const invalid = [
    '',
    '1',
    '1.2',
    'v1',
    'v1.2',
    '1.2.3.4',
    '01.2.3',
    '1.02.3',
    '1.2.03',
    '1.2.3-01',
    '1.2.3-00',
    '1.2.3-',
    '1.2.3+',
    '1.2.3-alpha..1',
    '1.2.3+build..1',
    '1.2.3-alpha_1',
    '1.2.3-\u03b1',
    'V1.2.3',
    'vv1.2.3',
    ' 1.2.3',
    '1.2.3 ',
    '1.2.3\n',
    'latest',
    '-1.2.3',
    '1.-2.3',
  ];
  for (const text of invalid) {
    it(`rejects ${JSON.stringify(text)}`, () => {
      expect(isSemver(text)).toBe(false);
    });
  }
});

describe('normalizeRelease', () => {
  it('drops one leading v so v1.2.0 and 1.2.0 compare equal', () => {
    expect(normalizeRelease('v1.2.0')).toBe('1.2.0');
    expect(normalizeRelease('1.2.0')).toBe('1.2.0');
    expect(normalizeRelease('v1.2.0')).toBe(normalizeRelease('1.2.0'));
  });

  it('keeps everything else as written', () => {
    expect(normalizeRelease('vv1.2.0')).toBe('v1.2.0');
    expect(normalizeRelease('1.2.0-rc.1+build')).toBe('1.2.0-rc.1+build');
    expect(normalizeRelease('V1.2.0')).toBe('V1.2.0');
    expect(normalizeRelease('')).toBe('');
  });
});
