import type { StreamFields } from '../../core/messaging/streams.js';
import { dependencyStates } from '../grpc/mesh/dependency-states.js';
import type { MeshReport } from '../grpc/mesh/process-mesh.js';

/**
 * One `system:stream:health` entry per instance this process runs and keeps registered:
 * `healthy` when every service it calls has a ready connection in rotation (gRPC's `READY`), else
 * `degraded`, with each dependency's state and the open breakers on the way to them.
 */
export const healthEntries = (report: MeshReport, now: number): StreamFields[] => {
  const states = dependencyStates(Object.fromEntries(report.clients.map(({ service, client }) => [service, { snapshot: () => client }])));
  return report.registered.map((record) => {
    const used = report.clients.filter((shared) => shared.users.includes(record.instanceId));
    const dependencies = Object.fromEntries(used.map(({ service }) => [service, states[service] ?? 'NO_INSTANCE']));
    const breakersOpen = used.reduce(
      (open, { client }) => open + client.instances.filter((instance) => instance.breaker === 'open').length,
      0,
    );
    const ready = Object.values(dependencies).every((state) => state === 'READY');
    return {
      timestamp: String(now),
      service: record.service,
      instance_id: record.instanceId,
      status: record.status === 'healthy' && ready ? 'healthy' : 'degraded',
      host: record.host,
      grpc_port: String(record.grpcPort),
      http_port: String(record.httpPort),
      pid: String(process.pid),
      uptime_ms: String(Math.max(0, now - record.startedAt)),
      dependencies: JSON.stringify(dependencies),
      breakers_open: String(breakersOpen),
    };
  });
};
