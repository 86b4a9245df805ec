import { describe, expect, it } from 'vitest';
import { fromStreamFields, toStreamFields } from './stream-fields.js';
import { aSample } from '../../test-support/core/series-builders.js';

describe('stream fields', () => {
  const sample = aSample({ timestamp: 1_767_225_600_123, cpu_total: 2.375, error_rate: 0.012345, simulation_step: 42 });

  it('writes the 13 fields as strings, the timestamp in epoch nanoseconds', () => {
    const fields = toStreamFields(sample);

    expect(Object.keys(fields)).toHaveLength(13);
    expect(fields).toMatchObject({ timestamp: '1767225600123000000', cpu_total: '2.375', error_rate: '0.012345', simulation_step: '42' });
  });

  it('reads back the same sample, to the millisecond', () => {
    expect(fromStreamFields(toStreamFields(sample))).toEqual(sample);
  });

  it('reads nothing from an entry with a missing or non-numeric field', () => {
    const { cpu_total: _dropped, ...missing } = toStreamFields(sample);

    expect(fromStreamFields(missing)).toBeUndefined();
    expect(fromStreamFields({ ...toStreamFields(sample), avg_latency: 'fast' })).toBeUndefined();
    expect(fromStreamFields({ ...toStreamFields(sample), timestamp: '12.5' })).toBeUndefined();
  });
});
