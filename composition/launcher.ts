import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DependencyProbe } from '../core/discovery/dependency-watch.js';
import { redisDependencyProbe } from '../adapters/redis/redis-dependency-probe.js';
import type { Tracer } from '@opentelemetry/api';
import type { Logger } from '../adapters/observability/logger.js';
import { startAuthService } from './auth/auth-root.js';
import { instanceEndpoints, ServiceNames, type MeshConfig, type ServiceName } from './config.js';
import { meshStatusOf } from '../adapters/http/dashboard/mesh-status-of.js';
import { startGatewayService } from './gateway/gateway-root.js';
import { startAdminServer, type AdminServer } from '../adapters/http/admin-server.js';
import { startPlaintextHealthServer, type PlaintextHealthServer } from '../adapters/grpc/plaintext-health-server.js';
import { loadMeshIdentities, type MeshIdentities } from './mesh-identities.js';
import type { ProcessMesh } from '../adapters/grpc/mesh/process-mesh.js';
import { startProcessMesh } from './mesh/start-process-mesh.js';
import { createMessaging, messagingTracedBy, type Messaging } from './messaging.js';
import { startTracing, type ProcessTracing } from './observability/tracing.js';
import {
  startObservabilityStreams,
  type ObservabilityStreams,
  type StreamIntervals,
} from '../adapters/observability/observability-streams.js';
import { processMetrics } from './observability/process-metrics.js';
import { startProjectService } from './project/project-root.js';
import type { ServiceContext, ServiceRoot } from './service-context.js';
import type { RunningService, ServiceAddress } from './service-server.js';
import { SharedStorage } from './shared-storage.js';
import { startSimulationService } from './simulation/simulation-root.js';

const roots: Readonly<Record<ServiceName, ServiceRoot>> = {
  auth: startAuthService,
  project: startProjectService,
  simulation: startSimulationService,
  'api-gateway': startGatewayService,
};

const startOrder: readonly ServiceName[] = ['auth', 'project', 'simulation', 'api-gateway'];

export interface MeshOptions {
  readonly config: MeshConfig;
  readonly logger: Logger;
  /** Which services this process runs; default all four, each with `config.mesh.instances` instances. */
  readonly services?: readonly ServiceName[];
  /** How often health and summary metrics go to `system:stream:health` and `monitoring:stream:metrics` (default 5 s, 10 s). */
  readonly streamIntervals?: Partial<StreamIntervals>;
}

/** One started instance of a service, as the registry knows it. */
export interface RunningInstance extends RunningService {
  readonly instanceId: string;
  /**
   * Registers the instance as `draining` (callers stop choosing it) and waits `MESH_DRAIN_NOTICE_MS`
   * once, so they hear of it before its servers stop. `stop` drains first if this was not called.
   */
  drain(): Promise<void>;
}

export interface RunningMesh {
  /** The first instance of each service started. */
  readonly services: ReadonlyMap<ServiceName, RunningInstance>;
  /** Every instance started, per service, in start order. */
  readonly instances: ReadonlyMap<ServiceName, readonly RunningInstance[]>;
  readonly messaging: Messaging;
  readonly mesh: ProcessMesh;
  /** Where `GET /mesh` is served, when `MESH_ADMIN_PORT` is set. */
  readonly admin: ServiceAddress | undefined;
  /** The services' span recorders when traces are exported (`OTEL_*`, docs/adr/0048); undefined: no SDK was started. */
  readonly tracing: ProcessTracing | undefined;
  /** Where grpc.health.v1 is served without TLS, when `MESH_HEALTH_PORT` is set. */
  readonly health: ServiceAddress | undefined;
  /**
   * Registers every instance `draining` at once, waits the drain notice, then stops the instances
   * in reverse start order (each finishes its calls in flight, then leaves the registry), then the
   * mesh and layer 3. Idempotent.
   */
  stop(): Promise<void>;
}

/**
 * Starts the requested services in one process, sharing one layer 3 and one mesh (registry,
 * discovery, connection scaler). Services start in dependency order (auth first, the gateway
 * last), each with its instances on their own ports, registered once serving; if one fails to
 * start, those already started are stopped.
 */
export const startMesh = async (options: MeshOptions): Promise<RunningMesh> => {
  const { config, logger } = options;
  const wanted = startOrder.filter((service) => (options.services ?? ServiceNames).includes(service));
  const identities = await loadMeshIdentities(config, wanted);
  const tracing = config.tracing && (await startTracing(config.tracing, wanted, logger));
  const messaging = createMessaging(config.redis, logger, processMetrics, { retention: config.streamRetention, jobs: config.queues });
  const mesh = await startProcessMesh(config, logger, wanted, identities).catch(async (error: unknown) => {
    await messaging.close();
    await tracing?.shutdown();
    throw error;
  });
  const detachMetrics = processMetrics.attachMesh(() => ({ ...mesh.report(), scaler: mesh.scaler.snapshot() }));
  const storage = new SharedStorage(config);
  const started: RunningInstance[] = [];
  let admin: AdminServer | undefined;
  let health: PlaintextHealthServer | undefined;
  let observability: ObservabilityStreams | undefined;
  const stop = async () => {
    // Probes see the drain begin at once; the port stays open until the instances have stopped.
    for (const name of ['', ...wanted]) health?.setStatus(name, 'NOT_SERVING');
    await observability?.stop();
    await Promise.all(started.map((instance) => instance.drain()));
    for (const instance of started.splice(0).reverse()) await instance.stop();
    await health?.close();
    await admin?.close();
    await mesh.close();
    detachMetrics();
    await messaging.close();
    // Last, so the spans of the shutdown's own work are exported too.
    await tracing?.shutdown();
  };
  const ids = instanceIds(config);
  try {
    for (const service of wanted) {
      for (let index = 0; index < config.mesh.instances[service]; index += 1) {
        const probes: DependencyProbe[] = messaging.redis ? [redisDependencyProbe(messaging.redis)] : [];
        const parts = { messaging, mesh, storage, identities, probes, tracer: tracing?.tracerFor(service) };
        const context = instanceContext(options, service, index, ids(service, index), parts);
        started.push(await startInstance(service, context, mesh, probes));
      }
    }
    if (config.mesh.adminPort !== undefined)
      admin = await startAdminServer(config.bindHost, config.mesh.adminPort, () => mesh.report(), logger);
    if (config.mesh.healthPort !== undefined) {
      health = await startPlaintextHealthServer(config.bindHost, config.mesh.healthPort, wanted, logger);
      for (const name of ['', ...wanted]) health.setStatus(name, 'SERVING');
    }
    observability = startObservabilityStreams({
      mesh,
      streams: messaging.streams,
      totals: processMetrics.messaging.totals,
      logger: logger.child({ component: 'observability' }),
      intervals: options.streamIntervals,
    });
  } catch (error) {
    await stop();
    throw error;
  }
  const instances = new Map(wanted.map((service) => [service, started.filter((instance) => instance.name === service)]));
  let stopping: Promise<void> | undefined;
  return {
    services: new Map(wanted.map((service) => [service, instances.get(service)![0]!])),
    instances,
    messaging,
    mesh,
    admin: admin?.address,
    health: health && { host: config.bindHost, port: health.port },
    tracing,
    stop: () => (stopping ??= stop()),
  };
};

interface ProcessParts {
  readonly messaging: Messaging;
  readonly mesh: ProcessMesh;
  readonly storage: SharedStorage;
  readonly identities: MeshIdentities;
  /** The instance's dependencies, probed while it is registered: the storage it opens adds its database. */
  readonly probes: DependencyProbe[];
  /** The service's tracer when traces are exported. */
  readonly tracer: Tracer | undefined;
}

/** Instance `index` of `service`: its ports, its id, and this process's layer 3, mesh and shared storage. */
const instanceContext = (
  options: MeshOptions,
  service: ServiceName,
  index: number,
  instanceId: string,
  parts: ProcessParts,
): ServiceContext => {
  const { config } = options;
  return {
    config: { ...config, ports: { ...config.ports, [service]: instanceEndpoints(config, service, index) } },
    // The gateway names its instance in its own log lines.
    logger: service === 'api-gateway' ? options.logger : options.logger.child({ instance: instanceId }),
    messaging: parts.tracer ? messagingTracedBy(parts.messaging, parts.tracer) : parts.messaging,
    instanceId,
    targetOf: (target) => parts.mesh.targetOf(target),
    clientFor: (target, Client) => parts.mesh.clientFor(target, Client, instanceId),
    openStorage: async (stateful, logger) => {
      const opened = await parts.storage.open(stateful, logger);
      if (opened.probe) parts.probes.push(opened.probe);
      return opened;
    },
    ...(parts.identities && {
      grpcTls: { identity: parts.identities.servers.get(service)!, reloadIntervalMs: config.tls.reloadIntervalMs },
    }),
    meshStatus: () => meshStatusOf(parts.mesh, ServiceNames),
    ...(parts.tracer && { tracer: parts.tracer }),
  };
};

/**
 * Starts one instance and registers it, with its dependencies probed. Its stop says `draining`
 * first (callers move away while it still serves), then stops its servers (calls in flight
 * finish), then removes its record (docs/adr/0057).
 */
const startInstance = async (
  service: ServiceName,
  context: ServiceContext,
  mesh: ProcessMesh,
  probes: readonly DependencyProbe[],
): Promise<RunningInstance> => {
  const { instanceId } = context;
  const running = await roots[service](context).catch((error: unknown) => {
    mesh.releaseClientsOf(instanceId);
    throw error;
  });
  try {
    await mesh.register({ service, instanceId, grpcPort: running.grpc.port, httpPort: running.http.port }, probes);
  } catch (error) {
    await running.stop();
    mesh.releaseClientsOf(instanceId);
    throw error;
  }
  let draining: Promise<void> | undefined;
  const drain = () =>
    (draining ??= (async () => {
      await mesh.drain(instanceId).catch((error: unknown) => context.logger.warn({ err: error, instanceId }, 'draining not registered'));
      if (mesh.drainNoticeMs > 0) await sleep(mesh.drainNoticeMs);
    })());
  let stopping: Promise<void> | undefined;
  const stop = async () => {
    await drain();
    await running.stop();
    await mesh.deregister(instanceId).catch((error: unknown) => context.logger.warn({ err: error, instanceId }, 'deregistration failed'));
    mesh.releaseClientsOf(instanceId);
  };
  return { name: running.name, grpc: running.grpc, http: running.http, instanceId, drain, stop: () => (stopping ??= stop()) };
};

/**
 * Registry ids: the gateway's are its instance id (`GATEWAY_INSTANCE_ID`, else random), with
 * `-2`, `-3`, ... for further instances in this process; the others' are `<service>-<random>`.
 */
const instanceIds = (config: MeshConfig) => {
  const gateway = config.gateway.instanceId ?? `gateway-${randomUUID().slice(0, 8)}`;
  return (service: ServiceName, index: number): string => {
    if (service === 'api-gateway') return index === 0 ? gateway : `${gateway}-${index + 1}`;
    return `${service}-${randomUUID().slice(0, 8)}`;
  };
};
