import { collectDefaultMetrics, Registry } from 'prom-client';
import { EventChannels, Queues, Streams } from '../../core/messaging/channels.js';
import { HttpRequestMetrics } from '../../adapters/observability/metrics/http-request-metrics.js';
import { registerMeshCollectors } from '../../adapters/observability/metrics/mesh-collectors.js';
import type { MeshMetricsSource } from '../../adapters/observability/metrics/mesh-metric-families.js';
import { MessagingMetrics } from '../../adapters/observability/metrics/messaging-metrics.js';
import { registerRedisServerMetrics } from '../../adapters/observability/metrics/redis-server-metrics.js';
import { WebSocketMetrics } from '../../adapters/observability/metrics/websocket-metrics.js';
import type { RedisClient } from '../../adapters/redis/redis-call.js';
import { deadLetterStream } from '../../adapters/streams/stream-job-codec.js';

/**
 * Channel, stream and queue names that are their own label value; every other name is folded into its family.
 * Each queue's dead-letter stream (`async:email:queue:dead`) is one, so an alert can watch dead letters grow.
 */
const fixedChannelNames: ReadonlySet<string> = new Set([
  ...Object.values(EventChannels),
  ...Object.values(Queues),
  ...Object.values(Queues).map(deadLetterStream),
  Streams.monitoringMetrics,
  Streams.analyticsEvents,
  Streams.systemHealth,
]);

/** What layer 3 reports to: the decorators' counters, and the Redis server to read at scrape time. */
export interface MessagingObserver {
  readonly messaging: MessagingMetrics;
  /** Reads the server behind `client` at each scrape until the returned function is called. */
  watchRedis(client: RedisClient): () => void;
}

/**
 * The metrics of this process (docs/adr/0018): one prom-client registry, served at `GET /metrics` on
 * every service's HTTP port. Layer 3 is counted as it happens (decorators); the mesh is read from its
 * snapshots at scrape time, from every mesh attached (one in production; tests may start several).
 */
export class ProcessMetrics implements MessagingObserver {
  readonly registry = new Registry();
  readonly messaging: MessagingMetrics;
  /** Request durations of every service's HTTP port (`serveService` instruments each app). */
  readonly http: HttpRequestMetrics;
  /** The gateway's WebSocket closes and dropped messages (its hub reports to it). */
  readonly websocket: WebSocketMetrics;
  private readonly meshes = new Set<() => MeshMetricsSource>();
  private readonly redisClients = new Set<RedisClient>();

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    this.messaging = new MessagingMetrics(this.registry, fixedChannelNames);
    this.http = new HttpRequestMetrics(this.registry);
    this.websocket = new WebSocketMetrics(this.registry);
    registerMeshCollectors(this.registry, () => [...this.meshes].map((read) => read()));
    registerRedisServerMetrics(this.registry, () => this.redisClients.values().next().value);
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The Prometheus text exposition of everything registered. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  /** Adds a mesh to the scrapes until the returned function is called. */
  attachMesh(read: () => MeshMetricsSource): () => void {
    this.meshes.add(read);
    return () => this.meshes.delete(read);
  }

  watchRedis(client: RedisClient): () => void {
    this.redisClients.add(client);
    return () => this.redisClients.delete(client);
  }
}

/** The one registry of this process. */
export const processMetrics = new ProcessMetrics();
