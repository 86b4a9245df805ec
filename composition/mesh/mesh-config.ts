import { BalancerKinds, type BalancerKind } from '../../core/resilience/balancer.js';
import { DEFAULT_MAX_TOTAL_CONNECTIONS, DEFAULT_SERVICE_PRIORITIES } from '../../core/pool-scaling/global-connection-scaler.js';
import type { EnvReader } from '../env-reader.js';
import { isServiceName, ServiceNames, type ServiceName } from '../service-names.js';

/** How this process takes part in the mesh: its connection cap, registration, health checks, instances. */
export interface ServiceMeshSettings {
  /** `MESH_MAX_CONNECTIONS`: every pooled connection of the process counts against it. */
  readonly maxConnections: number;
  /** `MESH_SERVICE_PRIORITIES`: highest first; at the cap, lower-priority pools give up connections. */
  readonly priorities: readonly ServiceName[];
  /** `MESH_HEALTH_INTERVAL_MS`: grpc.health.v1 Check of every target instance while it is healthy. */
  readonly healthIntervalMs: number;
  /** `MESH_HEARTBEAT_MS`: how often an instance refreshes its registry record. */
  readonly heartbeatMs: number;
  /** `MESH_REGISTRY_TTL_MS`: how long a record outlives the last heartbeat (a crashed instance's record). */
  readonly registryTtlMs: number;
  /** `MESH_INSTANCES` / `--instances`: instances of each service this process starts when it runs it. */
  readonly instances: Readonly<Record<ServiceName, number>>;
  /** `MESH_INSTANCE_PORT_STRIDE`: instance i listens on the service's ports + i x stride. */
  readonly instancePortStride: number;
  /** `MESH_BALANCER`: how a client spreads calls over the instances of a service. */
  readonly balancer: BalancerKind;
  /** `MESH_ADMIN_PORT`: where this process serves `GET /mesh` (its mesh state as JSON); unset: not served. */
  readonly adminPort: number | undefined;
}

export const MAX_INSTANCES_PER_SERVICE = 20;

/** Reads the `MESH_*` variables of the mesh itself; problems go to the reader's list. */
export const readMeshSettings = (reader: EnvReader): ServiceMeshSettings => {
  const heartbeatMs = reader.integer('MESH_HEARTBEAT_MS', 3_000, 50, 600_000);
  const registryTtlMs = reader.integer('MESH_REGISTRY_TTL_MS', 10_000, 100, 3_600_000);
  if (registryTtlMs <= heartbeatMs) {
    reader.problems.push(`MESH_REGISTRY_TTL_MS (${registryTtlMs}) must exceed MESH_HEARTBEAT_MS (${heartbeatMs})`);
  }
  return {
    maxConnections: reader.integer('MESH_MAX_CONNECTIONS', DEFAULT_MAX_TOTAL_CONNECTIONS, 1, 1_000_000),
    priorities: readPriorities(reader),
    healthIntervalMs: reader.integer('MESH_HEALTH_INTERVAL_MS', 30_000, 100, 3_600_000),
    heartbeatMs,
    registryTtlMs,
    instances: readInstances(reader),
    instancePortStride: reader.integer('MESH_INSTANCE_PORT_STRIDE', 100, 1, 10_000),
    balancer: reader.oneOf('MESH_BALANCER', BalancerKinds, 'round_robin'),
    adminPort: reader.optionalPort('MESH_ADMIN_PORT'),
  };
};

const readPriorities = (reader: EnvReader): readonly ServiceName[] => {
  const fallback = DEFAULT_SERVICE_PRIORITIES.filter(isServiceName);
  if (!reader.isSet('MESH_SERVICE_PRIORITIES')) return fallback;
  const names = reader.list('MESH_SERVICE_PRIORITIES');
  const unknown = names.filter((name) => !isServiceName(name));
  const repeated = names.filter((name, i) => names.indexOf(name) !== i);
  if (unknown.length > 0 || repeated.length > 0) {
    reader.problems.push(
      `MESH_SERVICE_PRIORITIES must list services from ${ServiceNames.join(', ')}, each once; got '${reader.raw('MESH_SERVICE_PRIORITIES')}'`,
    );
    return fallback;
  }
  return names.filter(isServiceName);
};

/** `api-gateway=3,auth=2`: services not named run one instance. */
const readInstances = (reader: EnvReader): Readonly<Record<ServiceName, number>> => {
  const counts = Object.fromEntries(ServiceNames.map((service) => [service, 1])) as Record<ServiceName, number>;
  for (const entry of reader.list('MESH_INSTANCES')) {
    const match = /^([a-z-]+)=(\d+)$/.exec(entry);
    const count = Number(match?.[2]);
    if (!match || !isServiceName(match[1]!) || count < 1 || count > MAX_INSTANCES_PER_SERVICE) {
      reader.problems.push(
        `MESH_INSTANCES entries must be <service>=<1-${MAX_INSTANCES_PER_SERVICE}> with a service from ${ServiceNames.join(', ')}; got '${entry}'`,
      );
      continue;
    }
    counts[match[1] as ServiceName] = count;
  }
  return counts;
};
