import type { ServiceInstance } from './instance.js';

/** What an instance writes about itself; the registry stamps `lastHeartbeat` on every write. */
export type InstanceRecord = Omit<ServiceInstance, 'lastHeartbeat'>;

/** `watch` scope covering every service. */
export const AllServices = '*';
export type WatchScope = string;

export type RemovalReason = 'deregistered' | 'expired';

/**
 * One change to the registry as a watcher sees it. `changedAt` (epoch ms, writer's clock) is when
 * the registry changed, when known: discovery latency is measured from it.
 */
export type RegistryChange =
  | { readonly type: 'added'; readonly instance: ServiceInstance; readonly changedAt?: number }
  | {
      readonly type: 'updated';
      readonly instance: ServiceInstance;
      readonly previous: ServiceInstance;
      readonly changedAt?: number;
    }
  | {
      readonly type: 'removed';
      readonly instance: ServiceInstance;
      readonly reason: RemovalReason;
      readonly changedAt?: number;
    };

/** Called once per change, never inside the call that caused it; a throwing listener is isolated. */
export type RegistryListener = (change: RegistryChange) => void;

export interface RegistryWatch {
  /** The instances in scope when the watch started; every later change goes to the listener. */
  readonly initial: readonly ServiceInstance[];
  /** Stops delivery. Idempotent. */
  close(): Promise<void>;
}

/** Why an instance is reported failing, and by whom (a process, e.g. `host:pid`). */
export interface HealthReport {
  readonly reason: string;
  readonly reportedBy: string;
}

/** `restored`: the record had expired (or was never written) and was written again, as a new instance. */
export type HeartbeatOutcome = 'refreshed' | 'restored';

/**
 * Where instances announce themselves and find each other. Records live for a TTL and are kept
 * alive by heartbeats, so an instance that dies without deregistering disappears by itself.
 */
export interface ServiceRegistry {
  /**
   * Writes the record of `record.instanceId`, replacing any previous one (a change of status or
   * address is reported to watchers as `updated`), and expires it `ttlMs` after this write unless
   * a heartbeat comes first. Visible to `list` when the promise resolves.
   */
  register(record: InstanceRecord, ttlMs: number): Promise<void>;
  /**
   * Refreshes the record's TTL and `lastHeartbeat`, writing `record` as it is now: a changed
   * status is reported to watchers as `updated`; a heartbeat that changes nothing is not reported.
   * If the record had already expired it is written again and reported as `added`.
   */
  heartbeat(record: InstanceRecord, ttlMs: number): Promise<HeartbeatOutcome>;
  /**
   * Marks a live record `unhealthy` on the word of another (a health checker that found the
   * instance failing, docs/adr/0057), with the reason and who reports it. Only a `healthy` record
   * changes (a `draining` or already `unhealthy` one is left as it is); its TTL is not extended and
   * a record that is gone is not written again, so a dead instance still expires. Watchers see
   * `updated`. Only the instance itself says it is healthy: its next heartbeat writes its own
   * status again. Resolves true when the record changed.
   */
  reportUnhealthy(service: string, instanceId: string, report: HealthReport): Promise<boolean>;
  /** Removes the record at once (reported as `removed`, reason `deregistered`). Idempotent: false if it was not there. */
  deregister(service: string, instanceId: string): Promise<boolean>;
  /** Every live record of `service`, ordered by instanceId. Expired records are never returned. */
  list(service: string): Promise<readonly ServiceInstance[]>;
  /**
   * Reports every change to `scope` (a service name, or `AllServices`) from the moment the
   * returned promise resolves. Changes of one instance arrive in order. Notifications lost in
   * transit (a reconnect) are made good by the adapter re-reading the registry, so a watcher's
   * view converges; in that case short-lived changes may be coalesced, and a record that vanished
   * unseen is reported as removed with reason `expired`.
   */
  watch(scope: WatchScope, listener: RegistryListener): Promise<RegistryWatch>;
}

/** What a local health checker tells the view it keeps in sync with (Discovery implements it). */
export interface InstanceHealth {
  /** Takes the instance out of the rotation in this process's view, whatever the registry says. */
  markUnhealthy(service: string, instanceId: string, reason: string): void;
  /** Lifts a `markUnhealthy`; the registry's status applies again. */
  markHealthy(service: string, instanceId: string): void;
}

/** Where a health checker records an instance it found failing, for every process to see (docs/adr/0057). */
export interface InstanceHealthReports {
  /** Fire and forget: a report that cannot be written is logged by the adapter, and the next failed check reports again. */
  reportUnhealthy(instance: ServiceInstance, reason: string): void;
}

/** Runs `tick` about every `intervalMs` until cancelled (core/simulation's Scheduler has this shape). */
export interface Ticker {
  every(intervalMs: number, tick: () => void | Promise<void>): { cancel(): void };
}
