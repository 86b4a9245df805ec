import { isInRotation } from '../../../core/discovery/instance.js';
import type { InstanceSnapshot } from '../../grpc/mesh/mesh-metrics.js';
import type { MeshStatus, ServiceStatus } from './mesh-status.js';
import type { ProcessMesh } from '../../grpc/mesh/process-mesh.js';

/**
 * The dashboard's view of a process's mesh: every instance discovery knows of the `services`
 * (with Redis, those of every process), joined with this process's pools and breakers to them.
 */
export const meshStatusOf = (mesh: ProcessMesh, services: readonly string[], now: () => number = Date.now): MeshStatus => {
  const report = mesh.report();
  const clients = new Map<string, Map<string, InstanceSnapshot>>(
    report.clients.map(({ service, client }) => [service, new Map(client.instances.map((instance) => [instance.instanceId, instance]))]),
  );
  const statuses = services.map((service): ServiceStatus => {
    const health = report.health[service];
    return {
      service,
      health_checks: health ? { checks: health.checks, failures: health.failures, unhealthy: health.unhealthy } : null,
      instances: mesh.discovery.current(service).map((instance) => {
        const client = clients.get(service)?.get(instance.instanceId);
        return {
          instance_id: instance.instanceId,
          status: instance.status,
          in_rotation: isInRotation(instance),
          started_at: instance.startedAt,
          pool: client
            ? {
                connections: client.pool.connections,
                ready: client.pool.readyConnections,
                in_flight: client.pool.inFlight,
                queue_depth: client.pool.queueDepth,
              }
            : null,
          breaker: client?.breaker ?? null,
          calls: client?.calls ?? 0,
        };
      }),
    };
  });
  return { registry: report.registry, observed_at: now(), services: statuses };
};
