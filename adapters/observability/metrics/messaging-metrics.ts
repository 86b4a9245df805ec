import { Counter, Gauge, type Registry } from 'prom-client';
import { ChannelFamilies } from './channel-family.js';
import { DeliveryLatencyHistogram, type LatencySeries } from './delivery-latency-histogram.js';

export type Transport = 'pubsub' | 'stream';
export type FailureStage = 'publish' | 'handler' | 'read';

const failureStages: readonly FailureStage[] = ['publish', 'handler', 'read'];

/** The counts of one (family, transport), as plain numbers the hot path adds to. */
interface FamilyCounts {
  readonly labels: { readonly family: string; readonly transport: Transport };
  published: number;
  delivered: number;
  readonly failures: Record<FailureStage, number>;
  readonly latency: LatencySeries;
}

/** Totals of this process since it started, for the summary on `monitoring:stream:metrics`. */
export interface MessagingTotals {
  published: number;
  delivered: number;
  failed: number;
}

const latencyBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * Layer 3 counted by the instrumented bus and stream store: messages published and delivered,
 * publish-to-delivery latency, failures and live subscriptions, per channel family and transport.
 * Counting adds to plain numbers kept per family (prom-client's own `inc`/`observe` hash the
 * labels at every call); the counters read them at scrape time.
 */
export class MessagingMetrics {
  readonly totals: MessagingTotals = { published: 0, delivered: 0, failed: 0 };
  private readonly families: ChannelFamilies;
  private readonly counts: Record<Transport, Map<string, FamilyCounts>> = { pubsub: new Map(), stream: new Map() };
  private readonly latencySeconds: DeliveryLatencyHistogram;
  private readonly subscriptionsGauge: Gauge;

  constructor(registry: Registry, fixedNames: ReadonlySet<string>) {
    this.families = new ChannelFamilies(fixedNames);
    const registers = [registry];
    const labelNames = ['family', 'transport'] as const;
    const all = () => [...this.counts.pubsub.values(), ...this.counts.stream.values()];
    new Counter({
      name: 'meshwork_messages_published_total',
      help: 'Events published and stream entries appended, per channel family',
      labelNames,
      registers,
      collect() {
        this.reset();
        for (const counts of all()) this.inc(counts.labels, counts.published);
      },
    });
    new Counter({
      name: 'meshwork_messages_delivered_total',
      help: 'Events handed to a handler and stream entries read, per channel family',
      labelNames,
      registers,
      collect() {
        this.reset();
        for (const counts of all()) this.inc(counts.labels, counts.delivered);
      },
    });
    new Counter({
      name: 'meshwork_message_failures_total',
      help: 'Publishes or appends that failed, handlers that threw, reads that failed',
      labelNames: [...labelNames, 'stage'],
      registers,
      collect() {
        this.reset();
        for (const counts of all()) {
          for (const stage of failureStages) if (counts.failures[stage] > 0) this.inc({ ...counts.labels, stage }, counts.failures[stage]);
        }
      },
    });
    this.latencySeconds = new DeliveryLatencyHistogram(registry, {
      name: 'meshwork_message_delivery_latency_seconds',
      help: "From the event's timestamp (or the stream entry id's time) to its delivery in this process",
      labelNames,
      buckets: latencyBuckets,
    });
    this.subscriptionsGauge = new Gauge({
      name: 'meshwork_subscriptions',
      help: 'Live subscriptions of this process, per channel or pattern family',
      labelNames: ['family'],
      registers,
    });
  }

  published(channel: string, transport: Transport, count = 1): void {
    this.countsOf(channel, transport).published += count;
    this.totals.published += count;
  }

  /** One message delivered `latencyMs` after it was published. */
  delivered(channel: string, transport: Transport, latencyMs: number): void {
    const counts = this.countsOf(channel, transport);
    counts.delivered += 1;
    if (Number.isFinite(latencyMs)) counts.latency.observe(Math.max(0, latencyMs) / 1000);
    this.totals.delivered += 1;
  }

  failed(channel: string, transport: Transport, stage: FailureStage, count = 1): void {
    this.countsOf(channel, transport).failures[stage] += count;
    this.totals.failed += count;
  }

  subscribed(channelOrPattern: string, delta: 1 | -1): void {
    this.subscriptionsGauge.labels(this.families.of(channelOrPattern)).inc(delta);
  }

  private countsOf(channel: string, transport: Transport): FamilyCounts {
    const family = this.families.of(channel);
    const byFamily = this.counts[transport];
    let counts = byFamily.get(family);
    if (!counts) {
      const labels = { family, transport };
      counts = {
        labels,
        published: 0,
        delivered: 0,
        failures: { publish: 0, handler: 0, read: 0 },
        latency: this.latencySeconds.seriesFor(labels),
      };
      byFamily.set(family, counts);
    }
    return counts;
  }
}
