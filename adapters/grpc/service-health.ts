/** The answer of each service's own `HealthCheck` rpc (the standard grpc.health.v1 runs beside it). */
export interface ServiceHealthReport {
  readonly status: 'SERVING' | 'NOT_SERVING';
  readonly service: string;
  readonly version: string;
  readonly uptimeMs: number;
  readonly details: Record<string, string>;
}

export const MESH_VERSION = '0.1.0';

const processStartedAt = Date.now();

/** A `HealthCheck` answer: SERVING with the uptime of this process and the given details. */
export const serviceHealth = (service: string, details: Record<string, string> = {}): ServiceHealthReport => ({
  status: 'SERVING',
  service,
  version: MESH_VERSION,
  uptimeMs: Date.now() - processStartedAt,
  details,
});
