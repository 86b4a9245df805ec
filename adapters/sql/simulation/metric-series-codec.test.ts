import { describe, expect, it } from 'vitest';
import { METRIC_FIELDS, type MetricSample } from '../../../core/simulation/model/metric-sample.js';
import { decodeMetricSeries, encodeMetricSeries, type MetricSeries } from './metric-series-codec.js';

const sample = (step: number, overrides: Partial<MetricSample> = {}): MetricSample => ({
  ...(Object.fromEntries(METRIC_FIELDS.map((field) => [field, step])) as unknown as MetricSample),
  ...overrides,
});

describe('metric series codec', () => {
  it('stores one array per field and gives the samples back in order', () => {
    const samples = [sample(1, { avg_latency: 12.5 }), sample(2), sample(3, { error_rate: 0.25 })];

    const series = encodeMetricSeries(samples);

    expect(series.avg_latency).toEqual([12.5, 2, 3]);
    expect(decodeMetricSeries(JSON.parse(JSON.stringify(series)) as MetricSeries)).toEqual(samples);
  });

  it('encodes an empty series', () => {
    expect(decodeMetricSeries(encodeMetricSeries([]))).toEqual([]);
  });

  it('refuses a number JSON cannot hold, naming the field and sample', () => {
    expect(() => encodeMetricSeries([sample(1), sample(2, { cpu_total: Number.POSITIVE_INFINITY })])).toThrow(/cpu_total of sample 1/);
  });

  it('refuses a damaged series whose columns differ in length', () => {
    const series = { ...encodeMetricSeries([sample(1), sample(2)]), error_rate: [0] };

    expect(() => decodeMetricSeries(series)).toThrow(/error_rate has 1 values/);
  });
});
