import type { DiscoveryStats } from '../../../core/discovery/discovery.js';
import type { InstanceRecord } from '../../../core/discovery/ports.js';
import type { GlobalScalerSnapshot } from '../../../core/pool-scaling/global-connection-scaler.js';
import { ScaleTriggers } from '../../../core/pool-scaling/policy.js';
import type { HealthCheckStats } from '../../grpc/health-checker.js';
import type { InstanceSnapshot, MeshClientSnapshot, PoolSnapshot } from '../../grpc/mesh/mesh-metrics.js';

/** What the mesh collectors read at scrape time: one process's mesh (its `report()` and scaler). */
export interface MeshMetricsSource {
  readonly clients: readonly { readonly service: string; readonly client: MeshClientSnapshot }[];
  readonly scaler: GlobalScalerSnapshot;
  readonly discovery: DiscoveryStats;
  readonly health: Readonly<Record<string, HealthCheckStats>>;
  readonly registered: readonly InstanceRecord[];
}

export type Labels = Record<string, string>;
export type Emit = (labels: Labels, value: number) => void;

/** One metric family read from the mesh snapshots; `counter`s carry cumulative counts kept by the mesh. */
export interface MeshMetricFamily {
  readonly name: string;
  readonly help: string;
  readonly type: 'gauge' | 'counter';
  readonly labelNames: readonly string[];
  read(source: MeshMetricsSource, emit: Emit): void;
}

const breakerStates = ['closed', 'open', 'half_open'] as const;
const quantiles = [
  ['0.5', 'p50'],
  ['0.95', 'p95'],
  ['0.99', 'p99'],
] as const;

const eachInstance = (source: MeshMetricsSource, visit: (labels: Labels, instance: InstanceSnapshot) => void): void => {
  for (const { service, client } of source.clients) {
    for (const instance of client.instances) visit({ service, instance: instance.instanceId }, instance);
  }
};

const poolFamily = (name: string, type: 'gauge' | 'counter', help: string, value: (pool: PoolSnapshot) => number): MeshMetricFamily => ({
  name,
  help,
  type,
  labelNames: ['service', 'instance'],
  read: (source, emit) => eachInstance(source, (labels, instance) => emit(labels, value(instance.pool))),
});

const instanceFamily = (
  name: string,
  type: 'gauge' | 'counter',
  help: string,
  value: (instance: InstanceSnapshot) => number,
): MeshMetricFamily => ({
  name,
  help,
  type,
  labelNames: ['service', 'instance'],
  read: (source, emit) => eachInstance(source, (labels, instance) => emit(labels, value(instance))),
});

const clientFamily = (name: string, help: string, value: (client: MeshClientSnapshot) => number): MeshMetricFamily => ({
  name,
  help,
  type: 'counter',
  labelNames: ['service'],
  read: (source, emit) => {
    for (const { service, client } of source.clients) emit({ service }, value(client));
  },
});

const healthFamily = (
  name: string,
  type: 'gauge' | 'counter',
  help: string,
  value: (stats: HealthCheckStats) => number,
): MeshMetricFamily => ({
  name,
  help,
  type,
  labelNames: ['service'],
  read: (source, emit) => {
    for (const [service, stats] of Object.entries(source.health)) emit({ service }, value(stats));
  },
});

const poolFamilies: readonly MeshMetricFamily[] = [
  {
    name: 'meshwork_mesh_pool_connections',
    help: 'Connections of the pool to one instance: in rotation (5-20), of which ready, and draining',
    type: 'gauge',
    labelNames: ['service', 'instance', 'state'],
    read: (source, emit) =>
      eachInstance(source, (labels, { pool }) => {
        emit({ ...labels, state: 'in_rotation' }, pool.connections);
        emit({ ...labels, state: 'ready' }, pool.readyConnections);
        emit({ ...labels, state: 'draining' }, pool.drainingConnections);
      }),
  },
  poolFamily(
    'meshwork_mesh_pool_utilization_ratio',
    'gauge',
    'Share of the pool capacity serving calls now (0-1)',
    (pool) => pool.utilisation,
  ),
  poolFamily('meshwork_mesh_pool_in_flight_requests', 'gauge', 'Calls in flight on the pool', (pool) => pool.inFlight),
  poolFamily('meshwork_mesh_pool_queue_depth', 'gauge', 'Calls waiting for a connection of the pool', (pool) => pool.queueDepth),
  poolFamily(
    'meshwork_mesh_pool_requests_per_second',
    'gauge',
    'Calls per second over the recent window',
    (pool) => pool.requestsPerSecond,
  ),
  {
    name: 'meshwork_mesh_pool_latency_ms',
    help: 'Response time percentiles of the pool over the recent window, in ms',
    type: 'gauge',
    labelNames: ['service', 'instance', 'quantile'],
    read: (source, emit) =>
      eachInstance(source, (labels, { pool }) => {
        for (const [quantile, key] of quantiles) emit({ ...labels, quantile }, pool.latencyMs[key]);
      }),
  },
  poolFamily('meshwork_mesh_pool_error_ratio', 'gauge', 'Share of failed calls over the recent window (0-1)', (pool) => pool.errorRate),
  poolFamily('meshwork_mesh_pool_rejected_total', 'counter', 'Calls refused because the pool queue was full', (pool) => pool.rejected),
  {
    name: 'meshwork_mesh_pool_scale_ups_total',
    help: 'Connections added to the pool, by trigger',
    type: 'counter',
    labelNames: ['service', 'instance', 'trigger'],
    read: (source, emit) =>
      eachInstance(source, (labels, { pool }) => {
        for (const trigger of ScaleTriggers) emit({ ...labels, trigger }, pool.scaleUps[trigger]);
      }),
  },
  poolFamily(
    'meshwork_mesh_pool_scale_downs_total',
    'counter',
    'Connections removed from the pool after the scale-down delay',
    (pool) => pool.scaleDowns,
  ),
  poolFamily(
    'meshwork_mesh_pool_surrendered_total',
    'counter',
    'Connections the pool gave to higher-priority pools',
    (pool) => pool.surrendered,
  ),
  poolFamily(
    'meshwork_mesh_pool_denials_total',
    'counter',
    'Connection requests of the pool the global scaler denied',
    (pool) => pool.denials,
  ),
  poolFamily(
    'meshwork_mesh_pool_connect_failures_total',
    'counter',
    'Connections of the pool that failed to connect',
    (pool) => pool.connectFailures,
  ),
  {
    name: 'meshwork_mesh_pool_scale_up_latency_ms',
    help: 'Recent scale-ups of the pool, from the decision to the new connection being ready: last and max, in ms',
    type: 'gauge',
    labelNames: ['service', 'instance', 'stat'],
    read: (source, emit) =>
      eachInstance(source, (labels, { pool }) => {
        const times = pool.scaleUpTimesMs;
        if (times.length === 0) return;
        emit({ ...labels, stat: 'last' }, times[times.length - 1]!);
        emit({ ...labels, stat: 'max' }, Math.max(...times));
      }),
  },
];

const instanceFamilies: readonly MeshMetricFamily[] = [
  {
    name: 'meshwork_mesh_breaker_state',
    help: 'Circuit breaker of each instance: 1 for its current state, 0 for the others',
    type: 'gauge',
    labelNames: ['service', 'instance', 'state'],
    read: (source, emit) =>
      eachInstance(source, (labels, instance) => {
        for (const state of breakerStates) emit({ ...labels, state }, instance.breaker === state ? 1 : 0);
      }),
  },
  instanceFamily(
    'meshwork_mesh_breaker_opened_total',
    'counter',
    'Times the breaker of the instance opened',
    (instance) => instance.breakerOpened,
  ),
  instanceFamily(
    'meshwork_mesh_instance_in_rotation',
    'gauge',
    '1 when the instance takes calls (healthy, breaker not open, not ejected)',
    (instance) => (instance.inRotation && !instance.ejected ? 1 : 0),
  ),
  instanceFamily(
    'meshwork_mesh_instance_ejections_total',
    'counter',
    'Times the instance was ejected on a connection-level failure',
    (instance) => instance.ejections,
  ),
  instanceFamily(
    'meshwork_mesh_instance_requests_total',
    'counter',
    'Calls sent to the instance: the load-balancing distribution',
    (instance) => instance.calls,
  ),
  instanceFamily(
    'meshwork_mesh_instance_peak_ewma_ms',
    'gauge',
    'Peak-EWMA latency of the instance (the p2c balancer input), in ms',
    (instance) => instance.peakEwmaMs,
  ),
  clientFamily('meshwork_mesh_retries_total', 'Calls repeated on another instance', (client) => client.retries),
  clientFamily('meshwork_mesh_no_instance_total', 'Calls that found no instance to go to', (client) => client.noInstance),
];

const processFamilies: readonly MeshMetricFamily[] = [
  {
    name: 'meshwork_mesh_connections',
    help: 'Pooled gRPC connections of the process, all pools together',
    type: 'gauge',
    labelNames: [],
    read: (source, emit) => emit({}, source.scaler.totalConnections),
  },
  {
    name: 'meshwork_mesh_connections_limit',
    help: 'Cap on pooled gRPC connections of the process (MESH_MAX_CONNECTIONS)',
    type: 'gauge',
    labelNames: [],
    read: (source, emit) => emit({}, source.scaler.maxTotalConnections),
  },
  {
    name: 'meshwork_mesh_rebalanced_connections_total',
    help: 'Connections moved from a lower-priority service pool to a higher one at the cap',
    type: 'counter',
    labelNames: ['from', 'to'],
    read: (source, emit) => {
      for (const { from, to, count } of source.scaler.rebalances) emit({ from, to }, count);
    },
  },
  {
    name: 'meshwork_mesh_connection_denials_total',
    help: 'Connection requests denied at the cap, by requesting service',
    type: 'counter',
    labelNames: ['service'],
    read: (source, emit) => {
      for (const [service, count] of Object.entries(source.scaler.denials)) emit({ service }, count);
    },
  },
  {
    name: 'meshwork_mesh_registered_instances',
    help: 'Instances this process runs and keeps registered, per service',
    type: 'gauge',
    labelNames: ['service'],
    read: (source, emit) => {
      const counts = new Map<string, number>();
      for (const record of source.registered) counts.set(record.service, (counts.get(record.service) ?? 0) + 1);
      for (const [service, count] of counts) emit({ service }, count);
    },
  },
];

const discoveryFamilies: readonly MeshMetricFamily[] = [
  {
    name: 'meshwork_discovery_instances',
    help: "Instances this process's discovery knows, per service: all known, and those in rotation",
    type: 'gauge',
    labelNames: ['service', 'state'],
    read: (source, emit) => {
      for (const [service, counts] of Object.entries(source.discovery.instances)) {
        emit({ service, state: 'known' }, counts.total);
        emit({ service, state: 'in_rotation' }, counts.inRotation);
      }
    },
  },
  {
    name: 'meshwork_discovery_latency_ms',
    help: 'From a change at the registry to this process seeing it, over recent changes, in ms',
    type: 'gauge',
    labelNames: ['quantile'],
    read: (source, emit) => {
      const { latency } = source.discovery;
      if (latency.count === 0) return;
      for (const [quantile, key] of quantiles) emit({ quantile }, latency[key]);
      emit({ quantile: '1' }, latency.max);
    },
  },
  {
    name: 'meshwork_discovery_changes_total',
    help: 'Registry changes this process has seen',
    type: 'counter',
    labelNames: [],
    read: (source, emit) => emit({}, source.discovery.latency.count),
  },
  healthFamily(
    'meshwork_health_checks_total',
    'counter',
    'Health check replies and Watch updates received, per target service',
    (stats) => stats.checks,
  ),
  healthFamily(
    'meshwork_health_check_failures_total',
    'counter',
    'Health checks that failed, per target service',
    (stats) => stats.failures,
  ),
  healthFamily(
    'meshwork_health_check_success_ratio',
    'gauge',
    'Successful health checks / all since the start (1 before the first)',
    (stats) => stats.successRate,
  ),
  {
    name: 'meshwork_health_checked_instances',
    help: 'Instances being health-checked, and those failing now, per target service',
    type: 'gauge',
    labelNames: ['service', 'state'],
    read: (source, emit) => {
      for (const [service, stats] of Object.entries(source.health)) {
        emit({ service, state: 'monitored' }, stats.monitored);
        emit({ service, state: 'unhealthy' }, stats.unhealthy);
      }
    },
  },
];

export const MeshMetricFamilies: readonly MeshMetricFamily[] = [
  ...poolFamilies,
  ...instanceFamilies,
  ...processFamilies,
  ...discoveryFamilies,
];
