import type { Client } from '@grpc/grpc-js';
import { Discovery, type DiscoveryStats } from '../../../core/discovery/discovery.js';
import { watchDependencies, type DependencyProbe } from '../../../core/discovery/dependency-watch.js';
import { grpcAddressOf, isDraining, isInRotation, type InstanceSource, type ServiceInstance } from '../../../core/discovery/instance.js';
import type { InstanceHealthReports, InstanceRecord, ServiceRegistry } from '../../../core/discovery/ports.js';
import { registerInstance, type InstanceRegistration } from '../../../core/discovery/registration.js';
import { GlobalConnectionScaler } from '../../../core/pool-scaling/global-connection-scaler.js';
import type { Clock } from '../../../core/shared/clock.js';
import type { BalancerKind } from '../../../core/resilience/balancer.js';
import type { Logger } from '../../observability/logger.js';
import type { TlsIdentity } from '../../pki/tls-identity.js';
import { SystemClock } from '../../system/system-clock.js';
import { SystemScheduler } from '../../system/system-scheduler.js';
import { HealthChecker, type HealthCheckStats } from '../health-checker.js';
import { MeshClientTls } from '../mesh-client-tls.js';
import { configuredInstance, FallbackInstanceSource } from './fallback-instances.js';
import { MeshClient, type MeshClientConstructor, type MeshService } from './mesh-client.js';
import { SharedMeshClients, type SharedClientSnapshot } from './shared-mesh-clients.js';

/** Where a service is reached when the registry has no instance of it. */
export interface ServiceTargets {
  readonly grpc: string;
  readonly http: string;
}

/** What a process's mesh is told by the configuration. */
export interface ProcessMeshSettings {
  /** Every pooled connection of the process counts against it. */
  readonly maxConnections: number;
  /** Highest first; at the cap, lower-priority pools give up connections. */
  readonly priorities: readonly string[];
  readonly balancer: BalancerKind;
  readonly healthIntervalMs: number;
  readonly heartbeatMs: number;
  readonly registryTtlMs: number;
  /** How long a stopping instance stays registered as `draining`, still serving, before its servers stop taking calls. */
  readonly drainNoticeMs: number;
  /** The host other processes reach this one's instances at. */
  readonly advertiseHost: string;
  /** Every service of the mesh at its configured target. */
  readonly targets: Readonly<Record<string, ServiceTargets>>;
  /** The services whose target was configured explicitly (`<SERVICE>_GRPC_TARGET`). */
  readonly configuredTargets: readonly string[];
  /** How often the client certificate's files are looked at for a replacement (docs/adr/0035); 0: never. Default 5 s. */
  readonly tlsReloadIntervalMs?: number;
}

/** This process's registry (Redis, or in memory), opened by the composition root, and how to let it go. */
export interface OpenedRegistry {
  readonly kind: 'memory' | 'redis';
  readonly registry: ServiceRegistry;
  close(): Promise<void>;
}

export interface ProcessMeshOptions {
  readonly settings: ProcessMeshSettings;
  /** Owned by the mesh from now on: closed with it (or when it fails to start). */
  readonly registry: OpenedRegistry;
  readonly logger: Logger;
  /** The services this process runs: the others are what it may reach at their configured targets. */
  readonly localServices: readonly string[];
  /** mTLS (docs/adr/0021): the process's client certificate, on every connection; undefined: plaintext. */
  readonly clientIdentity?: TlsIdentity;
}

/** Where a started instance listens, to be registered under `instanceId`. */
export interface MeshMember {
  readonly service: string;
  readonly instanceId: string;
  readonly grpcPort: number;
  readonly httpPort: number;
}

/** This process's part of the mesh as plain data (`GET /mesh` on the admin port, tests, benchmarks). */
export interface MeshReport {
  readonly registry: 'memory' | 'redis';
  readonly registered: readonly InstanceRecord[];
  readonly discovery: DiscoveryStats;
  readonly health: Readonly<Record<string, HealthCheckStats>>;
  /** The process's mesh client of each target service, with the local instances using it. */
  readonly clients: readonly SharedClientSnapshot[];
}

/**
 * The mesh of one process (docs/adr/0017): one registry (Redis, or in memory for the services of
 * this process), one discovery view, a health checker per target service, one global connection
 * scaler for every pool, and the registrations of the instances this process runs.
 */
export class ProcessMesh {
  readonly scaler: GlobalConnectionScaler;
  private readonly healthCheckers = new Map<string, HealthChecker>();
  private readonly clients: SharedMeshClients;
  private readonly registrations = new Map<string, InstanceRegistration>();
  private readonly dependencyWatches = new Map<string, () => void>();
  private readonly reports: InstanceHealthReports;
  private readonly rotation = new Map<string, number>();
  private readonly ticker: SystemScheduler;
  private readonly clientTls: MeshClientTls | undefined;

  private constructor(
    private readonly options: ProcessMeshOptions,
    private readonly clock: Clock,
    private readonly opened: OpenedRegistry,
    readonly discovery: Discovery,
    private readonly instances: InstanceSource,
  ) {
    const { settings } = options;
    this.scaler = new GlobalConnectionScaler({ maxTotalConnections: settings.maxConnections, priorities: settings.priorities });
    this.ticker = new SystemScheduler((error) => options.logger.warn({ err: error }, 'mesh heartbeat fault'));
    this.reports = registryReports(opened.registry, `process ${process.pid} on ${settings.advertiseHost}`, options.logger);
    this.clientTls =
      options.clientIdentity &&
      new MeshClientTls(options.clientIdentity, { reloadIntervalMs: settings.tlsReloadIntervalMs ?? 5_000, logger: options.logger });
    this.clients = new SharedMeshClients((service, Client) => {
      this.checkHealthOf(service);
      return new MeshClient(Client, {
        service,
        instances: this.instances,
        scaler: this.scaler,
        settings: { balancer: settings.balancer, ...this.tlsTo(service) },
        clock,
        logger: options.logger.child({ component: 'mesh-client' }),
      });
    });
  }

  /** Opens the registry and reads it; resolves once discovery holds the instances registered now. */
  static async start(options: ProcessMeshOptions): Promise<ProcessMesh> {
    const clock = new SystemClock();
    const opened = options.registry;
    const logger = options.logger.child({ component: 'discovery' });
    const discovery = new Discovery(opened.registry, clock, {
      onListenerError: (error) => logger.error({ err: error }, 'instance listener fault'),
    });
    try {
      await discovery.start();
    } catch (error) {
      await opened.close();
      throw error;
    }
    return new ProcessMesh(options, clock, opened, discovery, new FallbackInstanceSource(discovery, fallbacksOf(options, opened.kind)));
  }

  get registryKind(): 'memory' | 'redis' {
    return this.opened.kind;
  }

  /**
   * The process's client of `service` over its discovered instances, leased to the local instance
   * `from` (its `close()` ends the lease); the first one starts the health checks of `service`.
   */
  clientFor<C extends Client>(service: string, Client: MeshClientConstructor<C>, from: string): MeshService<C> {
    return this.clients.lease(service, Client, from);
  }

  /**
   * An in-rotation instance of `service` (round-robin). When no known instance is healthy (a
   * check can time out on a loaded host; a dependency all instances share can be down), the
   * known ones that are not draining are tried all the same, as a balancer in panic mode does,
   * and draining ones last: they still serve until their servers stop (docs/adr/0057). The
   * configured target only stands in when none is known.
   */
  targetOf(service: string): ServiceTargets {
    const known = this.discovery.current(service);
    const candidates = firstNonEmpty(
      known.filter(isInRotation),
      known.filter((instance) => !isDraining(instance)),
      known,
    );
    if (candidates.length === 0) {
      const configured = this.options.settings.targets[service];
      if (!configured) throw new Error(`no target is configured for the service ${service}`);
      return configured;
    }
    const turn = this.rotation.get(service) ?? 0;
    this.rotation.set(service, turn + 1);
    const chosen = candidates[turn % candidates.length]!;
    return { grpc: grpcAddressOf(chosen), http: `${chosen.host}:${chosen.httpPort}` };
  }

  /**
   * Registers a started instance (healthy, at the advertised host) and keeps its record alive; its
   * `dependencies` are probed every heartbeat, and the record says `unhealthy` while one of them
   * fails (docs/adr/0057).
   */
  async register(member: MeshMember, dependencies: readonly DependencyProbe[] = []): Promise<InstanceRegistration> {
    const { settings, logger } = this.options;
    const record: InstanceRecord = {
      service: member.service,
      instanceId: member.instanceId,
      host: settings.advertiseHost,
      grpcPort: member.grpcPort,
      httpPort: member.httpPort,
      status: 'healthy',
      startedAt: this.clock.now(),
      metadata: { pid: String(process.pid) },
    };
    const registration = await registerInstance(this.opened.registry, record, {
      heartbeatMs: settings.heartbeatMs,
      ttlMs: settings.registryTtlMs,
      ticker: this.ticker,
      onHeartbeatError: (error) => logger.warn({ err: error, instance: member.instanceId }, 'registry heartbeat failed'),
    });
    this.registrations.set(member.instanceId, registration);
    const instanceLogger = logger.child({ instance: member.instanceId });
    this.dependencyWatches.set(
      member.instanceId,
      watchDependencies(dependencies, {
        ticker: this.ticker,
        intervalMs: settings.heartbeatMs,
        onVerdict: async (verdict) => {
          if (verdict.status === 'unhealthy') instanceLogger.warn({ reason: verdict.reason }, 'a dependency fails: registered unhealthy');
          else instanceLogger.info('dependencies answer again: registered healthy');
          await registration.setStatus(verdict.status, verdict.reason).finally(() => this.showOwn(registration));
        },
        onError: (error) => instanceLogger.warn({ err: error }, 'registry status not written; the next probe retries'),
      }),
    );
    // Calls from this process reach its own instances even while the registry loses their records (docs/adr/0047).
    this.showOwn(registration);
    logger.info({ ...member, host: record.host, registry: this.opened.kind }, 'registered in the mesh');
    return registration;
  }

  /**
   * Says the instance is leaving (`draining`): callers stop choosing it while it finishes its calls.
   * Its own dependency verdicts no longer change its status.
   */
  async drain(instanceId: string): Promise<void> {
    this.stopDependencyWatch(instanceId);
    const registration = this.registrations.get(instanceId);
    await registration?.setStatus('draining').finally(() => this.showOwn(registration));
  }

  /** How long to wait after `drain` before the servers stop, so callers hear of it first. */
  get drainNoticeMs(): number {
    return this.options.settings.drainNoticeMs;
  }

  /** Removes the instance's record at once. */
  async deregister(instanceId: string): Promise<void> {
    this.stopDependencyWatch(instanceId);
    const registration = this.registrations.get(instanceId);
    if (registration) this.discovery.forgetLocal(registration.record.service, instanceId);
    await registration?.deregister();
    this.registrations.delete(instanceId);
  }

  /** This process's view shows its own instance as its registration says now (status included). */
  private showOwn(registration: InstanceRegistration): void {
    if (this.registrations.get(registration.record.instanceId) !== registration) return;
    this.discovery.showLocal({ ...registration.record, lastHeartbeat: this.clock.now() });
  }

  /** Ends the leases of the instance `from`, once it has stopped; a client no instance uses any more closes. */
  releaseClientsOf(from: string): void {
    this.clients.releaseAll(from);
  }

  report(): MeshReport {
    return {
      registry: this.opened.kind,
      registered: [...this.registrations.values()].map((registration) => registration.record),
      discovery: this.discovery.stats(),
      health: Object.fromEntries([...this.healthCheckers].map(([service, checker]) => [service, checker.stats()])),
      clients: this.clients.snapshots(),
    };
  }

  /** Deregisters what is still registered, closes clients and checks, stops following the registry. */
  async close(): Promise<void> {
    await Promise.allSettled([...this.registrations.keys()].map((id) => this.deregister(id)));
    for (const checker of this.healthCheckers.values()) checker.close();
    this.healthCheckers.clear();
    this.clients.closeAll();
    this.clientTls?.close();
    await this.discovery.close();
    await this.opened.close();
  }

  private stopDependencyWatch(instanceId: string): void {
    this.dependencyWatches.get(instanceId)?.();
    this.dependencyWatches.delete(instanceId);
  }

  private checkHealthOf(service: string): void {
    if (this.healthCheckers.has(service)) return;
    const checker = new HealthChecker(this.discovery, this.discovery, {
      services: [service],
      reports: this.reports,
      intervalMs: this.options.settings.healthIntervalMs,
      ...this.tlsTo(service),
      ...this.healthTimeout(),
      logger: this.options.logger.child({ component: 'health-checker' }),
    });
    this.healthCheckers.set(service, checker);
    checker.start();
  }

  /** Under mTLS: the process's certificate, a server that must speak for `service`, and `service` as the TLS server name. */
  private tlsTo(service: string) {
    if (!this.clientTls) return {};
    return { credentials: this.clientTls.credentialsFor(service), channelOptions: { 'grpc.ssl_target_name_override': service } };
  }

  /** A probe's first Check also makes the TLS handshake: on a process busy starting its services, give it longer. */
  private healthTimeout() {
    return this.options.clientIdentity ? { timeoutMs: TLS_HEALTH_TIMEOUT_MS } : {};
  }
}

const TLS_HEALTH_TIMEOUT_MS = 5_000;

const firstNonEmpty = <T>(...lists: readonly (readonly T[])[]): readonly T[] => lists.find((list) => list.length > 0) ?? [];

/**
 * A failed health check written to the registry (docs/adr/0057): a configured stand-in has no
 * record; a report that cannot be written is logged, and the next failed check reports again.
 */
const registryReports = (registry: ServiceRegistry, reportedBy: string, logger: Logger): InstanceHealthReports => ({
  reportUnhealthy: (instance: ServiceInstance, reason: string) => {
    if (instance.instanceId.startsWith('configured:')) return;
    const fields = { service: instance.service, instance: instance.instanceId, reason };
    registry.reportUnhealthy(instance.service, instance.instanceId, { reason, reportedBy }).then(
      (changed) => changed && logger.warn(fields, 'instance failed its health check: registered unhealthy'),
      (error: unknown) => logger.warn({ ...fields, err: error }, 'health report not written to the registry'),
    );
  },
});

/**
 * The configured target of a service stands in while the registry has none of it: always when
 * `<SERVICE>_GRPC_TARGET` is set; and with an in-memory registry (no Redis), for every service
 * this process does not run, since no other process can register there.
 */
const fallbacksOf = (options: ProcessMeshOptions, registry: 'memory' | 'redis') => {
  const { settings, localServices } = options;
  const standIns = Object.keys(settings.targets).filter(
    (service) => settings.configuredTargets.includes(service) || (registry === 'memory' && !localServices.includes(service)),
  );
  return new Map(
    standIns.map((service) => [service, configuredInstance(service, settings.targets[service]!.grpc, settings.targets[service]!.http)]),
  );
};
