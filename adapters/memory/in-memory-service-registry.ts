import type { ServiceInstance } from '../../core/discovery/instance.js';
import { sameRecord } from '../../core/discovery/instance-view.js';
import {
  AllServices,
  type HealthReport,
  type HeartbeatOutcome,
  type InstanceRecord,
  type RegistryChange,
  type RegistryListener,
  type RegistryWatch,
  type ServiceRegistry,
  type WatchScope,
} from '../../core/discovery/ports.js';
import type { Clock } from '../../core/shared/clock.js';

export interface InMemoryServiceRegistryOptions {
  /** How often expired records are looked for while any exist. Default 25 ms. */
  readonly sweepEveryMs?: number;
}

interface Entry {
  readonly instance: ServiceInstance;
  readonly expiresAt: number;
}

interface Watcher {
  readonly scope: WatchScope;
  readonly listener: RegistryListener;
}

/**
 * The registry inside one process, with the Redis adapter's semantics: records expire by the
 * Clock `ttlMs` after their last write (a sweep every `sweepEveryMs` while any exist, and at every
 * read), and watchers are told of each change later (setImmediate), never inside the call.
 */
export class InMemoryServiceRegistry implements ServiceRegistry {
  private readonly entries = new Map<string, Entry>();
  private readonly watchers = new Set<Watcher>();
  private readonly sweepEveryMs: number;
  private sweeper: NodeJS.Timeout | undefined;

  constructor(
    private readonly clock: Clock,
    options: InMemoryServiceRegistryOptions = {},
  ) {
    this.sweepEveryMs = options.sweepEveryMs ?? 25;
  }

  async register(record: InstanceRecord, ttlMs: number): Promise<void> {
    this.sweep();
    this.write(record, ttlMs);
  }

  async heartbeat(record: InstanceRecord, ttlMs: number): Promise<HeartbeatOutcome> {
    this.sweep();
    return this.write(record, ttlMs) ? 'refreshed' : 'restored';
  }

  async reportUnhealthy(service: string, instanceId: string, report: HealthReport): Promise<boolean> {
    this.sweep();
    const key = keyOf(service, instanceId);
    const entry = this.entries.get(key);
    if (!entry || entry.instance.status !== 'healthy') return false;
    const previous = entry.instance;
    const instance: ServiceInstance = {
      ...previous,
      status: 'unhealthy',
      statusReason: report.reason,
      statusReportedBy: report.reportedBy,
    };
    this.entries.set(key, { instance, expiresAt: entry.expiresAt });
    this.notify({ type: 'updated', instance, previous, changedAt: this.clock.now() });
    return true;
  }

  async deregister(service: string, instanceId: string): Promise<boolean> {
    this.sweep();
    const key = keyOf(service, instanceId);
    const entry = this.entries.get(key);
    if (!entry) return false;
    this.entries.delete(key);
    this.notify({ type: 'removed', instance: entry.instance, reason: 'deregistered', changedAt: this.clock.now() });
    return true;
  }

  async list(service: string): Promise<readonly ServiceInstance[]> {
    this.sweep();
    return this.snapshot((s) => s === service);
  }

  async watch(scope: WatchScope, listener: RegistryListener): Promise<RegistryWatch> {
    this.sweep();
    const watcher: Watcher = { scope, listener };
    this.watchers.add(watcher);
    return {
      initial: this.snapshot((service) => inScope(scope, service)),
      close: async () => void this.watchers.delete(watcher),
    };
  }

  /** Stops the sweep timer; records stay readable. */
  close(): void {
    clearInterval(this.sweeper);
    this.sweeper = undefined;
  }

  /** Writes the record; true if it replaced a live one. */
  private write(record: InstanceRecord, ttlMs: number): boolean {
    if (!(ttlMs > 0)) throw new RangeError(`ttlMs must be positive, got ${ttlMs}`);
    const now = this.clock.now();
    const instance: ServiceInstance = { ...record, lastHeartbeat: now };
    const key = keyOf(record.service, record.instanceId);
    const previous = this.entries.get(key)?.instance;
    this.entries.set(key, { instance, expiresAt: now + ttlMs });
    this.ensureSweeper();
    if (!previous) this.notify({ type: 'added', instance, changedAt: now });
    else if (!sameRecord(previous, instance)) this.notify({ type: 'updated', instance, previous, changedAt: now });
    return previous !== undefined;
  }

  private sweep(): void {
    const now = this.clock.now();
    for (const [key, entry] of this.entries) {
      if (entry.expiresAt > now) continue;
      this.entries.delete(key);
      this.notify({ type: 'removed', instance: entry.instance, reason: 'expired', changedAt: entry.expiresAt });
    }
    if (this.entries.size === 0) this.close();
  }

  private ensureSweeper(): void {
    if (this.sweeper) return;
    this.sweeper = setInterval(() => this.sweep(), this.sweepEveryMs);
    this.sweeper.unref();
  }

  private snapshot(matches: (service: string) => boolean): ServiceInstance[] {
    return [...this.entries.values()]
      .map((entry) => entry.instance)
      .filter((instance) => matches(instance.service))
      .sort((a, b) => (a.instanceId < b.instanceId ? -1 : a.instanceId > b.instanceId ? 1 : 0));
  }

  private notify(change: RegistryChange): void {
    for (const watcher of this.watchers) {
      if (!inScope(watcher.scope, change.instance.service)) continue;
      setImmediate(() => {
        if (!this.watchers.has(watcher)) return;
        try {
          watcher.listener(change);
        } catch {
          // A throwing listener is isolated from the registry and the other watchers.
        }
      });
    }
  }
}

const keyOf = (service: string, instanceId: string): string => `${service}\u0000${instanceId}`;

const inScope = (scope: WatchScope, service: string): boolean => scope === AllServices || scope === service;
