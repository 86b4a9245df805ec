import { INTEGER_METRIC_FIELDS, METRIC_FIELDS, roundTo, type MetricSample } from './model/metric-sample.js';

/** Results keep at most this many samples; longer runs are averaged in equal buckets. */
export const MAX_STORED_SAMPLES = 10_000;

const integerFields: ReadonlySet<string> = new Set(INTEGER_METRIC_FIELDS);

/**
 * One sample standing for a bucket: the mean of each metric (counts rounded to integers), stamped
 * with the bucket's last timestamp and step.
 */
export const averageSamples = (bucket: readonly MetricSample[]): MetricSample => {
  const last = bucket[bucket.length - 1];
  if (!last) throw new Error('averageSamples needs at least one sample');
  if (bucket.length === 1) return last;
  const averaged: Record<string, number> = {};
  for (const field of METRIC_FIELDS) {
    const mean = bucket.reduce((sum, sample) => sum + sample[field], 0) / bucket.length;
    averaged[field] = integerFields.has(field) ? Math.round(mean) : roundTo(mean, 6);
  }
  averaged.timestamp = last.timestamp;
  averaged.simulation_step = last.simulation_step;
  return averaged as unknown as MetricSample;
};

/** Buckets of this many consecutive steps keep a run of `totalSteps` within `max` samples. */
export const bucketSizeFor = (totalSteps: number, max: number = MAX_STORED_SAMPLES): number => Math.max(1, Math.ceil(totalSteps / max));

/** The series as stored: unchanged up to `max` samples, else averaged in buckets of `bucketSizeFor(length)`. */
export const downsample = (samples: readonly MetricSample[], max: number = MAX_STORED_SAMPLES): MetricSample[] => {
  const size = bucketSizeFor(samples.length, max);
  if (size === 1) return [...samples];
  const out: MetricSample[] = [];
  for (let start = 0; start < samples.length; start += size) out.push(averageSamples(samples.slice(start, start + size)));
  return out;
};

/**
 * Records a run's samples as they come without keeping them all: the stored series (buckets sized
 * for the planned run, so a finished run equals `downsample` of its full series) and the latest
 * raw samples for live views.
 */
export class SeriesRecorder {
  private readonly buckets: MetricSample[] = [];
  private open: MetricSample[] = [];
  private readonly recent: MetricSample[] = [];
  private recentStart = 0;
  private readonly bucketSize: number;

  constructor(
    totalSteps: number,
    private readonly recentCapacity = 1_000,
    max: number = MAX_STORED_SAMPLES,
  ) {
    this.bucketSize = bucketSizeFor(totalSteps, max);
  }

  record(sample: MetricSample): void {
    this.open.push(sample);
    if (this.open.length === this.bucketSize) {
      this.buckets.push(averageSamples(this.open));
      this.open = [];
    }
    if (this.recent.length < this.recentCapacity) this.recent.push(sample);
    else {
      this.recent[this.recentStart] = sample;
      this.recentStart = (this.recentStart + 1) % this.recentCapacity;
    }
  }

  /** The stored series so far; a partly filled last bucket is averaged as it is. */
  series(): MetricSample[] {
    return this.open.length > 0 ? [...this.buckets, averageSamples(this.open)] : [...this.buckets];
  }

  /** The latest raw samples kept (at most the recent capacity), oldest first. */
  recentSamples(): MetricSample[] {
    return [...this.recent.slice(this.recentStart), ...this.recent.slice(0, this.recentStart)];
  }

  get latest(): MetricSample | undefined {
    if (this.recent.length === 0) return undefined;
    const index = (this.recentStart + this.recent.length - 1) % this.recent.length;
    return this.recent[index];
  }
}
