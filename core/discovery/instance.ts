/**
 * One running copy of a service as the registry knows it. `service` is the name our code uses
 * (`api-gateway`, `auth`, `project`, `simulation`); the Redis adapter maps it to the
 * specification's key names in one place (adapters/redis/redis-service-registry-keys.ts, docs/specification.md#the-mesh-client).
 */
export type InstanceStatus = 'healthy' | 'unhealthy' | 'starting' | 'draining';

export const InstanceStatuses: readonly InstanceStatus[] = ['healthy', 'unhealthy', 'starting', 'draining'];

export interface ServiceInstance {
  readonly service: string;
  /** Unique per process start; a restarted process registers under a new id. */
  readonly instanceId: string;
  /** Address other instances dial (the advertised host, not the bind address). */
  readonly host: string;
  readonly grpcPort: number;
  readonly httpPort: number;
  readonly status: InstanceStatus;
  /** Epoch milliseconds. */
  readonly startedAt: number;
  /** Epoch milliseconds of the last register or heartbeat written by the instance itself. */
  readonly lastHeartbeat: number;
  /** Why the status is not `healthy` (a failing dependency, a failed health check), when someone said. */
  readonly statusReason?: string;
  /**
   * Who wrote the status, when not the instance itself: a health checker that found it failing
   * (docs/adr/0057). The instance's next heartbeat writes its own word again.
   */
  readonly statusReportedBy?: string;
  readonly version?: string;
  readonly metadata?: Readonly<Record<string, string>>;
}

/** `host:grpcPort`, the target a gRPC client dials. */
export const grpcAddressOf = (instance: Pick<ServiceInstance, 'host' | 'grpcPort'>): string => `${instance.host}:${instance.grpcPort}`;

/** Whether an instance may receive traffic: only `healthy` ones are in the rotation. */
export const isInRotation = (instance: Pick<ServiceInstance, 'status'>): boolean => instance.status === 'healthy';

/** Whether an instance is on its way out: it finishes its calls and should get no new one (docs/adr/0057). */
export const isDraining = (instance: Pick<ServiceInstance, 'status'>): boolean => instance.status === 'draining';

/**
 * The read side that pools and balancers consume: the current instances of a service as this
 * process sees them (registry view, overlaid with local health checks).
 */
export interface InstanceSource {
  /** Every known instance of `service`, whatever its status, in a stable order (by instanceId). */
  current(service: string): readonly ServiceInstance[];
  /**
   * Calls `listener` with the new list after every change to the instances of `service`
   * (added, removed, status or address changed). Not called for the list as it is now.
   * Returns a function that stops the notifications; calling it twice is harmless.
   */
  onChange(service: string, listener: (instances: readonly ServiceInstance[]) => void): () => void;
}
