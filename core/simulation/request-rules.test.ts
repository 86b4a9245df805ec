import { describe, expect, it } from 'vitest';
import { checkRunShape, DEFAULT_DURATION_SECONDS, estimateDurationSeconds, mergeConfiguration } from './request-rules.js';

describe('checkRunShape', () => {
  it('takes the default duration and no components when none are given', () => {
    expect(checkRunShape(undefined, undefined)).toEqual({
      shape: { durationSeconds: DEFAULT_DURATION_SECONDS, components: [] },
      violations: [],
    });
  });

  it.each([0, 3601, 1.5, Number.NaN])('refuses a duration of %s seconds', (duration) => {
    expect(checkRunShape(duration, []).violations).toEqual([{ field: 'duration_seconds', message: 'must be an integer from 1 to 3600' }]);
  });

  it('refuses blank or overlong component names, naming each by index', () => {
    expect(checkRunShape(10, ['api', ' ', 'x'.repeat(101)]).violations.map((v) => v.field)).toEqual(['components[1]', 'components[2]']);
  });
});

describe('mergeConfiguration', () => {
  it('overrides the project configuration with the request and leaves out project keys the simulation does not know', () => {
    expect(mergeConfiguration({ nodes: '3', services: '4', region: 'eu' }, { nodes: '5', unknown: '1' })).toEqual({
      merged: { nodes: '5', services: '4', unknown: '1' },
      ignored: ['region'],
    });
  });
});

describe('estimateDurationSeconds', () => {
  it('is the duration in real time, and a few seconds at most otherwise', () => {
    expect(estimateDurationSeconds(300, true, 10)).toBe(300);
    expect(estimateDurationSeconds(300, false, 10)).toBe(1);
    expect(estimateDurationSeconds(3600, false, 100)).toBe(18);
  });
});
