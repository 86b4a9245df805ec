import type { Clock } from '../shared/clock.js';
import { InstanceView } from './instance-view.js';
import { isInRotation, type InstanceSource, type ServiceInstance } from './instance.js';
import { LatencySamples, type LatencySummary } from './latency-samples.js';
import { AllServices, type InstanceHealth, type RegistryChange, type RegistryWatch, type ServiceRegistry } from './ports.js';

export interface DiscoveryOptions {
  /** Services to follow; default every service (one watch on `AllServices`). */
  readonly services?: readonly string[];
  /** How many recent discovery latencies the percentiles cover. Default 512. */
  readonly latencySamples?: number;
  /** Told about a change listener that threw; the other listeners still run. */
  readonly onListenerError?: (error: unknown) => void;
}

export interface ServiceCounts {
  readonly total: number;
  readonly inRotation: number;
}

export interface DiscoveryStats {
  readonly instances: Readonly<Record<string, ServiceCounts>>;
  /** From a change at the registry (writer's clock) to this process's view showing it. */
  readonly latency: LatencySummary;
}

type Listener = (instances: readonly ServiceInstance[]) => void;

/**
 * This process's view of the registry: follows it with `watch`, overlays the verdicts of the local
 * health checker (an instance the registry calls healthy but that fails its checks here is shown
 * `unhealthy`), and tells pools and balancers about every change. The instances this process runs
 * itself are shown as it registered them, whatever the registry says meanwhile (docs/adr/0047).
 */
export class Discovery implements InstanceSource, InstanceHealth {
  private readonly view = new InstanceView();
  private readonly markedUnhealthy = new Map<string, string>();
  /** This process's own instances, by service, then instance id. */
  private readonly local = new Map<string, Map<string, ServiceInstance>>();
  private readonly effective = new Map<string, readonly ServiceInstance[]>();
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly watches: RegistryWatch[] = [];
  private readonly latency: LatencySamples;
  private started = false;

  constructor(
    private readonly registry: ServiceRegistry,
    private readonly clock: Clock,
    private readonly options: DiscoveryOptions = {},
  ) {
    this.latency = new LatencySamples(options.latencySamples ?? 512);
  }

  /** Reads the registry and follows it from now on. Resolves once the view holds the current instances. */
  async start(): Promise<void> {
    if (this.started) throw new Error('discovery is already started');
    this.started = true;
    const scopes = this.options.services ?? [AllServices];
    await Promise.all(scopes.map((scope) => this.follow(scope)));
  }

  current(service: string): readonly ServiceInstance[] {
    let instances = this.effective.get(service);
    if (!instances) {
      instances = this.compute(service);
      this.effective.set(service, instances);
    }
    return instances;
  }

  onChange(service: string, listener: Listener): () => void {
    let set = this.listeners.get(service);
    if (!set) {
      set = new Set();
      this.listeners.set(service, set);
    }
    const wrapped: Listener = (instances) => listener(instances);
    set.add(wrapped);
    return () => void set.delete(wrapped);
  }

  /**
   * Shows an instance this process runs (and has registered), or its new record: the process knows it
   * lives, so it stays in this view even while the registry has lost its record (a failover, a
   * restarted Redis) until `forgetLocal`. The registry's record of the same instance is not used meanwhile.
   */
  showLocal(instance: ServiceInstance): void {
    let instances = this.local.get(instance.service);
    if (!instances) {
      instances = new Map();
      this.local.set(instance.service, instances);
    }
    instances.set(instance.instanceId, instance);
    this.refresh(instance.service);
  }

  /** The instance stops being this process's own (it is deregistering): the registry alone decides again. */
  forgetLocal(service: string, instanceId: string): void {
    const instances = this.local.get(service);
    if (!instances?.delete(instanceId)) return;
    if (instances.size === 0) this.local.delete(service);
    if (!this.view.get(service, instanceId)) this.markedUnhealthy.delete(keyOf(service, instanceId));
    this.refresh(service);
  }

  markUnhealthy(service: string, instanceId: string, reason: string): void {
    const key = keyOf(service, instanceId);
    const known = this.view.get(service, instanceId) ?? this.local.get(service)?.get(instanceId);
    if (!known || this.markedUnhealthy.has(key)) return;
    this.markedUnhealthy.set(key, reason);
    this.refresh(service);
  }

  markHealthy(service: string, instanceId: string): void {
    if (this.markedUnhealthy.delete(keyOf(service, instanceId))) this.refresh(service);
  }

  stats(): DiscoveryStats {
    const services = new Set([...this.view.all().map((i) => i.service), ...this.local.keys()]);
    const instances = Object.fromEntries(
      [...services].map((service) => {
        const current = this.current(service);
        return [service, { total: current.length, inRotation: current.filter(isInRotation).length }];
      }),
    );
    return { instances, latency: this.latency.summary() };
  }

  /** Stops following the registry; the view keeps its last state. */
  async close(): Promise<void> {
    const watches = this.watches.splice(0);
    await Promise.all(watches.map((watch) => watch.close()));
  }

  private async follow(scope: string): Promise<void> {
    const early: RegistryChange[] = [];
    let live = false;
    const watch = await this.registry.watch(scope, (change) => (live ? this.apply(change) : early.push(change)));
    this.watches.push(watch);
    const touched = new Set<string>();
    for (const instance of watch.initial) {
      if (this.view.upsert(instance)) touched.add(instance.service);
    }
    live = true;
    touched.forEach((service) => this.refresh(service));
    early.forEach((change) => this.apply(change));
  }

  private apply(change: RegistryChange): void {
    const { service, instanceId } = change.instance;
    const applied =
      change.type === 'removed'
        ? this.view.remove(service, instanceId, change.reason, change.changedAt)
        : this.view.upsert(change.instance, change.changedAt);
    if (!applied) return;
    if (applied.type === 'removed' && !this.local.get(service)?.has(instanceId)) this.markedUnhealthy.delete(keyOf(service, instanceId));
    if (change.changedAt !== undefined) this.latency.record(this.clock.now() - change.changedAt);
    this.refresh(service);
  }

  private compute(service: string): readonly ServiceInstance[] {
    const local = this.local.get(service);
    const registered = this.view.list(service);
    const instances = local ? [...registered.filter((i) => !local.has(i.instanceId)), ...local.values()].sort(byInstanceId) : registered;
    return instances.map((instance) =>
      instance.status === 'healthy' && this.markedUnhealthy.has(keyOf(service, instance.instanceId))
        ? { ...instance, status: 'unhealthy' as const }
        : instance,
    );
  }

  private refresh(service: string): void {
    const instances = this.compute(service);
    this.effective.set(service, instances);
    for (const listener of [...(this.listeners.get(service) ?? [])]) {
      try {
        listener(instances);
      } catch (error) {
        this.options.onListenerError?.(error);
      }
    }
  }
}

const keyOf = (service: string, instanceId: string): string => `${service}\u0000${instanceId}`;

const byInstanceId = (a: ServiceInstance, b: ServiceInstance): number =>
  a.instanceId < b.instanceId ? -1 : a.instanceId > b.instanceId ? 1 : 0;
