import { createServer } from 'node:net';
import type { InstanceSource, ServiceInstance } from '../core/discovery/instance.js';
import { startAuthService } from '../composition/auth/auth-root.js';
import type { MeshConfig, ServiceName, ServiceTargets } from '../composition/config.js';
import { createInMemoryMessaging, type Messaging } from '../composition/messaging.js';
import { startProjectService } from '../composition/project/project-root.js';
import type { ServiceRoot } from '../composition/service-context.js';
import type { RunningService } from '../composition/service-server.js';
import { startSimulationService } from '../composition/simulation/simulation-root.js';
import { configuredInstance } from '../adapters/grpc/mesh/fallback-instances.js';
import { standaloneContext } from './standalone-context.js';
import { testMeshConfig } from './test-mesh.js';
import { gatewayRoot } from '../composition/gateway/gateway-root.js';
import { testLogger } from './test-logger.js';
import type { GatewaySettings } from '../composition/config.js';

type Backend = 'auth' | 'project' | 'simulation';

const roots: Readonly<Record<Backend, ServiceRoot>> = {
  auth: startAuthService,
  project: startProjectService,
  simulation: startSimulationService,
};

/** Services started by their real composition roots in this process, and gateways in front of them. */
export interface GatewayTestBed {
  readonly config: MeshConfig;
  /** The backends' layer 3 (the gateways' too, unless `openMessaging` gives each its own). */
  readonly messaging: Messaging;
  readonly backends: ReadonlyMap<Backend, RunningService>;
  /** Starts one more gateway instance with its own ports (and its own layer 3 connections with `openMessaging`). */
  startGateway(overrides?: Partial<GatewaySettings>): Promise<RunningService>;
  stop(): Promise<void>;
}

export interface GatewayTestBedOptions {
  /** Which backends to start (default all three); the others are reached at an address where nothing listens. */
  readonly backends?: readonly Backend[];
  readonly env?: Record<string, string>;
  /**
   * Layer 3 as one process opens it, called for the backends and for each gateway, as separate
   * processes would (Redis); default one in-memory layer 3 shared by all.
   */
  readonly openMessaging?: () => Messaging;
}

/** `host:port` where nothing listens: a free port, closed again. */
export const deadAddress = async (): Promise<string> => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `127.0.0.1:${port}`;
};

/**
 * The instances started so far, so that a client made before its target started (project and
 * simulation call each other; gateways forward to each other) finds it.
 */
class StartedInstances implements InstanceSource {
  private readonly instances = new Map<string, ServiceInstance[]>();
  private readonly listeners = new Set<{ service: string; listener: (instances: readonly ServiceInstance[]) => void }>();

  add(service: ServiceName, running: RunningService, instanceId?: string): void {
    const configured = configuredInstance(service, `127.0.0.1:${running.grpc.port}`, `127.0.0.1:${running.http.port}`);
    this.change(service, [...this.current(service), instanceId ? { ...configured, instanceId } : configured]);
  }

  remove(service: ServiceName, running: RunningService): void {
    this.change(
      service,
      this.current(service).filter((instance) => instance.grpcPort !== running.grpc.port),
    );
  }

  current(service: string): readonly ServiceInstance[] {
    return this.instances.get(service) ?? [];
  }

  onChange(service: string, listener: (instances: readonly ServiceInstance[]) => void): () => void {
    const entry = { service, listener };
    this.listeners.add(entry);
    return () => this.listeners.delete(entry);
  }

  private change(service: string, instances: ServiceInstance[]): void {
    this.instances.set(service, instances);
    for (const entry of this.listeners) if (entry.service === service) entry.listener(instances);
  }
}

export const startGatewayTestBed = async (options: GatewayTestBedOptions = {}): Promise<GatewayTestBed> => {
  const config = testMeshConfig(options.env);
  const logger = testLogger('gateway-test-bed');
  const messaging = options.openMessaging?.() ?? createInMemoryMessaging(logger);
  const opened: Messaging[] = [];
  const backends = new Map<Backend, RunningService>();
  const gateways: RunningService[] = [];
  const dead = await deadAddress();
  const targetOf = (service: ServiceName): ServiceTargets => {
    const local = service === 'api-gateway' ? gateways[0] : backends.get(service);
    return local ? { grpc: `127.0.0.1:${local.grpc.port}`, http: `127.0.0.1:${local.http.port}` } : { grpc: dead, http: dead };
  };
  const started = new StartedInstances();
  const context = standaloneContext({ config, logger, messaging, targetOf, registry: started });
  const stop = async () => {
    for (const gateway of gateways.splice(0).reverse()) await gateway.stop();
    for (const service of [...backends.values()].reverse()) await service.stop();
    backends.clear();
    for (const own of opened.splice(0)) await own.close();
    await messaging.close();
  };
  try {
    for (const backend of options.backends ?? (['auth', 'project', 'simulation'] as const)) {
      const running = await roots[backend](context);
      backends.set(backend, running);
      started.add(backend, running);
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    config,
    messaging,
    backends,
    startGateway: async (overrides = {}) => {
      const own = options.openMessaging?.();
      if (own) opened.push(own);
      // Each gateway its own instance id, as the launcher gives them: the client directory and forwarding go by it.
      const instanceId = overrides.instanceId ?? `gateway-${gateways.length + 1}-${context.instanceId}`;
      const gateway = await gatewayRoot(overrides)({ ...context, instanceId, messaging: own ?? messaging });
      gateways.push(gateway);
      started.add('api-gateway', gateway, instanceId);
      return {
        ...gateway,
        stop: async () => {
          started.remove('api-gateway', gateway);
          await gateway.stop();
        },
      };
    },
    stop,
  };
};
