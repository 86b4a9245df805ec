import { parseArgs } from 'node:util';
import { createLogger } from '../adapters/observability/logger.js';
import { ConfigError, loadConfig, ServiceNames, type MeshConfig, type ServiceName } from './config.js';
import { startMesh } from './launcher.js';

const usage = `Usage: npm start [-- --service <name> ...] [-- --instances <name>=<n>,...]
Runs the meshwork services (default: all four) on the ports of the configuration.
  --service <name>         run only this service; repeat for several (${ServiceNames.join(', ')})
  --instances <name>=<n>   run n instances of a service, e.g. api-gateway=3,auth=2 (as MESH_INSTANCES);
                           instance i listens on the service's ports + i x MESH_INSTANCE_PORT_STRIDE (100)
  --help                   show this text`;

const SHUTDOWN_LIMIT_MS = 15_000;

interface Arguments {
  readonly services: ServiceName[] | undefined;
  readonly config: MeshConfig;
}

/** The command line and the environment, validated together: `--instances` overrides `MESH_INSTANCES`. */
const readArguments = (): Arguments => {
  const { values } = parseArgs({
    options: {
      service: { type: 'string', multiple: true },
      instances: { type: 'string', multiple: true },
      help: { type: 'boolean' },
    },
    allowPositionals: false,
  });
  if (values.help) {
    console.log(usage);
    process.exit(0);
  }
  const unknown = (values.service ?? []).filter((name) => !(ServiceNames as readonly string[]).includes(name));
  if (unknown.length > 0) throw new ConfigError([`unknown service ${unknown.join(', ')}; choose from ${ServiceNames.join(', ')}`]);
  const instances = values.instances?.join(',');
  const config = loadConfig(instances === undefined ? process.env : { ...process.env, MESH_INSTANCES: instances });
  return { services: values.service as ServiceName[] | undefined, config };
};

const main = async (): Promise<void> => {
  let services: ServiceName[] | undefined;
  let config;
  try {
    ({ services, config } = readArguments());
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    console.error(usage);
    process.exit(2);
  }
  const logger = createLogger('meshwork', config.logLevel);
  const mesh = await startMesh({ config, logger, services }).catch((error: unknown) => {
    logger.fatal({ err: error }, 'the mesh failed to start');
    process.exit(1);
  });
  const instances = Object.fromEntries(
    [...mesh.instances].map(([service, running]) => [service, running.map((instance) => ({ id: instance.instanceId, grpc: instance.grpc.port, http: instance.http.port }))]),
  );
  logger.info({ services: [...mesh.services.keys()], instances, messaging: mesh.messaging.kind, registry: mesh.mesh.registryKind }, 'mesh ready');

  let shuttingDown = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info({ signal }, 'shutting down');
    setTimeout(() => {
      logger.error({ limitMs: SHUTDOWN_LIMIT_MS }, 'shutdown took too long: exiting');
      process.exit(1);
    }, SHUTDOWN_LIMIT_MS).unref();
    mesh.stop().then(
      () => {
        logger.info('stopped cleanly');
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
};

await main();
