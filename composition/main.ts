import { parseArgs } from 'node:util';
import { createLogger, logDestinationFor } from '../adapters/observability/logger.js';
import { ConfigError, loadConfig, ServiceNames, type MeshConfig, type ServiceName } from './config.js';
import { startMesh } from './launcher.js';
import { startBanner } from './operator/start-banner.js';
import { settingsHelp } from './settings/settings-docs.js';

const usage = `Usage: npm start [-- --service <name> ...] [-- --instances <name>=<n>,...]
Runs the meshwork services (default: all four) on the ports of the configuration.
  --service <name>         run only this service; repeat for several (${ServiceNames.join(', ')}); as MESH_SERVICES
  --instances <name>=<n>   run n instances of a service, e.g. api-gateway=3,auth=2 (as MESH_INSTANCES)
  --help                   show this text`;

const help = () => `${usage}

Settings are environment variables (docs/configuration.md); every bad value is reported at once, exit code 2.

${settingsHelp()}`;

const SHUTDOWN_LIMIT_MS = 15_000;

interface Arguments {
  readonly services: ServiceName[] | undefined;
  readonly config: MeshConfig;
}

/**
 * The one place the configuration is read: the command line and the environment, validated
 * together (`--instances` overrides `MESH_INSTANCES`); throws one ConfigError listing every problem.
 */
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
    console.log(help());
    process.exit(0);
  }
  const unknown = (values.service ?? []).filter((name) => !(ServiceNames as readonly string[]).includes(name));
  const problems = unknown.length > 0 ? [`unknown service ${unknown.join(', ')}; choose from ${ServiceNames.join(', ')}`] : [];
  const instances = values.instances?.join(',');
  try {
    const config = loadConfig(instances === undefined ? process.env : { ...process.env, MESH_INSTANCES: instances });
    if (problems.length > 0) throw new ConfigError(problems);
    const chosen = values.service ?? (config.services.length > 0 ? config.services : undefined);
    return { services: chosen as ServiceName[] | undefined, config };
  } catch (error) {
    if (error instanceof ConfigError) throw new ConfigError([...problems, ...error.problems]);
    throw error;
  }
};

const main = async (): Promise<void> => {
  let services: ServiceName[] | undefined;
  let config;
  try {
    ({ services, config } = readArguments());
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    console.error(`${usage}\nEvery setting, its default and what it does: npm start -- --help`);
    process.exit(2);
  }
  const destination = logDestinationFor(config.logFormat, process.stdout);
  const logger = createLogger('meshwork', config.logLevel, destination);
  const mesh = await startMesh({ config, logger, services }).catch((error: unknown) => {
    logger.fatal({ err: error }, 'the mesh failed to start');
    process.exit(1);
  });
  const instances = Object.fromEntries(
    [...mesh.instances].map(([service, running]) => [
      service,
      running.map((instance) => ({ id: instance.instanceId, grpc: instance.grpc.port, http: instance.http.port })),
    ]),
  );
  logger.info(
    { services: [...mesh.services.keys()], instances, messaging: mesh.messaging.kind, registry: mesh.mesh.registryKind },
    'mesh ready',
  );
  if (destination !== undefined) {
    const facts = {
      host: config.advertiseHost,
      instances,
      messaging: mesh.messaging.kind,
      registry: mesh.mesh.registryKind,
      storage: config.storage,
    };
    process.stdout.write(`${startBanner(facts)}\n`);
  }

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
