import { METRIC_FIELDS, type MetricSample } from '../../../core/simulation/model/metric-sample.js';

/** A series stored column by column: `{ timestamp: [...], nodes_active: [...], ... }`, all of one length. */
export type MetricSeries = Readonly<Record<(typeof METRIC_FIELDS)[number], readonly number[]>>;

/**
 * Samples as columns: the field names once instead of once per sample, about half the size of an
 * array of objects. JSON has no NaN or Infinity, so a series holding one is refused (a fault of
 * the run, better loud here than read back as null).
 */
export const encodeMetricSeries = (samples: readonly MetricSample[]): MetricSeries => {
  const series = Object.fromEntries(METRIC_FIELDS.map((field) => [field, samples.map((sample) => sample[field])]));
  for (const field of METRIC_FIELDS) {
    const index = series[field]!.findIndex((value) => !Number.isFinite(value));
    if (index >= 0) throw new RangeError(`metric ${field} of sample ${index} is ${series[field]![index]}, which JSON cannot store`);
  }
  return series as unknown as MetricSeries;
};

/** The samples of an encoded series, oldest first; a series whose columns differ in length is a fault. */
export const decodeMetricSeries = (series: MetricSeries): MetricSample[] => {
  const length = series.timestamp.length;
  const uneven = METRIC_FIELDS.find((field) => series[field]?.length !== length);
  if (uneven) throw new Error(`stored metric series is damaged: ${uneven} has ${series[uneven]?.length} values, timestamp ${length}`);
  return Array.from(
    { length },
    (_, index) => Object.fromEntries(METRIC_FIELDS.map((field) => [field, series[field][index]])) as unknown as MetricSample,
  );
};
