import { Histogram, type MetricType, type Registry } from 'prom-client';

type Exported = Awaited<ReturnType<Histogram['get']>>;

// prom-client's typings declare MetricType a numeric enum; at run time a family's type is this string.
const HISTOGRAM = 'histogram' as unknown as MetricType;

/** The buckets, sum and count of one (family, transport): plain numbers the hot path adds to. */
export class LatencySeries {
  readonly counts: number[];
  sum = 0;
  count = 0;

  constructor(
    readonly labels: Readonly<Record<string, string>>,
    private readonly bounds: readonly number[],
  ) {
    this.counts = bounds.map(() => 0);
  }

  observe(seconds: number): void {
    this.sum += seconds;
    this.count += 1;
    const { bounds } = this;
    for (let index = 0; index < bounds.length; index += 1) {
      if (seconds <= bounds[index]!) {
        this.counts[index]! += 1;
        return;
      }
    }
  }
}

/**
 * A Prometheus histogram whose series are kept as plain numbers: prom-client's own `observe`
 * validates and hashes the labels at every call (about 2 µs), too much for every delivered message.
 * The series are exported in prom-client's format at scrape time, cumulative per `le`.
 */
export class DeliveryLatencyHistogram extends Histogram {
  private readonly series: LatencySeries[] = [];

  private readonly bounds: readonly number[];

  constructor(
    registry: Registry,
    private readonly config: {
      readonly name: string;
      readonly help: string;
      readonly labelNames: readonly string[];
      readonly buckets: readonly number[];
    },
  ) {
    super({ ...config, buckets: [...config.buckets], registers: [registry] });
    this.bounds = [...config.buckets].sort((a, b) => a - b);
  }

  /** A new series for `labels`; keep it, as every call makes another. */
  seriesFor(labels: Readonly<Record<string, string>>): LatencySeries {
    const series = new LatencySeries(labels, this.bounds);
    this.series.push(series);
    return series;
  }

  override get(): Promise<Exported> {
    return this.getForPromString();
  }

  /** What the registry reads for the text format (prom-client calls it when present). */
  getForPromString(): Promise<Exported> {
    const { name, help } = this.config;
    return Promise.resolve({ name, help, type: HISTOGRAM, aggregator: 'sum', collect: () => undefined, values: this.exportedValues() });
  }

  private exportedValues(): Exported['values'] {
    const { name } = this.config;
    const values: Exported['values'] = [];
    for (const series of this.series) {
      let cumulative = 0;
      this.bounds.forEach((bound, index) => {
        cumulative += series.counts[index]!;
        values.push({ metricName: `${name}_bucket`, labels: { ...series.labels, le: bound }, value: cumulative });
      });
      values.push({ metricName: `${name}_bucket`, labels: { ...series.labels, le: '+Inf' }, value: series.count });
      values.push({ metricName: `${name}_sum`, labels: { ...series.labels }, value: series.sum });
      values.push({ metricName: `${name}_count`, labels: { ...series.labels }, value: series.count });
    }
    return values;
  }
}
