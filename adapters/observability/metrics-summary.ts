import { hostname } from 'node:os';
import type { StreamFields } from '../../core/messaging/streams.js';
import type { GlobalScalerSnapshot } from '../../core/pool-scaling/global-connection-scaler.js';
import type { MessagingTotals } from './metrics/messaging-metrics.js';
import type { MeshReport } from '../grpc/mesh/process-mesh.js';

const round = (value: number): string => String(Math.round(value * 1000) / 1000);

/**
 * The `monitoring:stream:metrics` entry of this process: one line of numbers a dashboard can plot
 * without scraping every process. Pool figures are summed (connections, calls in flight, queue,
 * calls/s) or taken at the worst pool (latency percentiles); message counts are since the previous
 * entry.
 */
export class MetricsSummary {
  private previous: { at: number; totals: MessagingTotals } | undefined;

  constructor(private readonly host: string = hostname()) {}

  entry(report: MeshReport, scaler: GlobalScalerSnapshot, totals: Readonly<MessagingTotals>, now: number): StreamFields {
    const pools = report.clients.flatMap(({ client }) => client.instances.map((instance) => instance.pool));
    const instances = report.clients.flatMap(({ client }) => client.instances);
    const rps = pools.reduce((sum, pool) => sum + pool.requestsPerSecond, 0);
    const errors = pools.reduce((sum, pool) => sum + pool.errorRate * pool.requestsPerSecond, 0);
    const worst = (key: 'p50' | 'p95' | 'p99') => pools.reduce((max, pool) => Math.max(max, pool.latencyMs[key]), 0);
    const healthRates = Object.values(report.health).map((stats) => stats.successRate);
    const since = this.previous ?? { at: now, totals: { published: 0, delivered: 0, failed: 0 } };
    const seconds = Math.max(0.001, (now - since.at) / 1000);
    const published = totals.published - since.totals.published;
    this.previous = { at: now, totals: { ...totals } };
    return {
      timestamp: String(now),
      host: this.host,
      pid: String(process.pid),
      services: [...new Set(report.registered.map((record) => record.service))].join(','),
      instances: String(report.registered.length),
      interval_ms: String(now - since.at),
      mesh_connections: String(scaler.totalConnections),
      mesh_connection_limit: String(scaler.maxTotalConnections),
      pools: String(pools.length),
      in_flight: String(pools.reduce((sum, pool) => sum + pool.inFlight, 0)),
      queue_depth: String(pools.reduce((sum, pool) => sum + pool.queueDepth, 0)),
      requests_per_second: round(rps),
      error_rate: round(rps > 0 ? errors / rps : 0),
      latency_p50_ms: round(worst('p50')),
      latency_p95_ms: round(worst('p95')),
      latency_p99_ms: round(worst('p99')),
      breakers_open: String(instances.filter((instance) => instance.breaker === 'open').length),
      instances_in_rotation: String(Object.values(report.discovery.instances).reduce((sum, counts) => sum + counts.inRotation, 0)),
      health_check_success_rate: round(healthRates.length > 0 ? Math.min(...healthRates) : 1),
      messages_published: String(published),
      messages_delivered: String(totals.delivered - since.totals.delivered),
      message_failures: String(totals.failed - since.totals.failed),
      messages_per_second: round(published / seconds),
    };
  }
}
