import { SystemClock } from '../../adapters/system/system-clock.js';
import { ProcessMesh, type ProcessMeshSettings } from '../../adapters/grpc/mesh/process-mesh.js';
import type { Logger } from '../../adapters/observability/logger.js';
import type { MeshConfig } from '../config.js';
import type { MeshIdentities } from '../mesh-identities.js';
import type { ServiceName } from '../service-names.js';
import { openRegistry } from './mesh-registry.js';

/** The part of the configuration the process's mesh reads. */
export const processMeshSettings = (config: MeshConfig): ProcessMeshSettings => ({
  maxConnections: config.mesh.maxConnections,
  priorities: config.mesh.priorities,
  balancer: config.mesh.balancer,
  healthIntervalMs: config.mesh.healthIntervalMs,
  heartbeatMs: config.mesh.heartbeatMs,
  registryTtlMs: config.mesh.registryTtlMs,
  drainNoticeMs: config.mesh.drainNoticeMs,
  advertiseHost: config.advertiseHost,
  targets: config.targets,
  configuredTargets: config.configuredTargets,
  tlsReloadIntervalMs: config.tls.reloadIntervalMs,
});

/** This process's mesh (docs/adr/0017) on the registry the configuration names (Redis, else in memory). */
export const startProcessMesh = (config: MeshConfig, logger: Logger, localServices: readonly ServiceName[], identities?: MeshIdentities) =>
  ProcessMesh.start({
    settings: processMeshSettings(config),
    registry: openRegistry(config.redis, new SystemClock(), logger),
    logger,
    localServices,
    ...(identities && { clientIdentity: identities.client }),
  });
