import type { StorageSettings } from '../config.js';

/** What the banner says of the storage. */
type BannerStorage = Pick<StorageSettings, 'kind' | 'dataDir' | 'databaseUrls'>;

export interface BannerInstance {
  readonly id: string;
  readonly grpc: number;
  readonly http: number;
}

export interface BannerFacts {
  /** Host other processes and the operator reach this process's servers on (MESH_ADVERTISE_HOST). */
  readonly host: string;
  readonly instances: Readonly<Record<string, readonly BannerInstance[]>>;
  readonly messaging: 'memory' | 'redis';
  readonly registry: 'memory' | 'redis';
  readonly storage: BannerStorage;
}

const storageText = (storage: BannerStorage): string => {
  if (storage.kind === 'memory') return 'in memory (nothing kept at exit)';
  const urls = Object.values(storage.databaseUrls);
  if (urls.every((url) => url !== undefined)) return 'PostgreSQL';
  return `PGlite under ${storage.dataDir}${urls.some((url) => url !== undefined) ? ' and PostgreSQL' : ''}`;
};

/**
 * What a person at a terminal wants after `npm start`: where the dashboard is, the ports of every
 * instance, where state and events live, and how to stop. JSON logs carry the same in "mesh ready".
 */
export const startBanner = (facts: BannerFacts): string => {
  const gateway = facts.instances['api-gateway']?.[0];
  const rows = Object.entries(facts.instances).flatMap(([service, instances]) =>
    instances.map(
      (instance) => `  ${service.padEnd(12)} ${instance.id.padEnd(28)} gRPC ${String(instance.grpc).padEnd(6)} HTTP ${instance.http}`,
    ),
  );
  const where = facts.messaging === 'redis' ? 'Redis' : 'in this process';
  return [
    '',
    'meshwork is running',
    gateway ? `  dashboard    http://${facts.host}:${gateway.http}/` : '  dashboard    (no api-gateway in this process)',
    ...rows,
    `  storage      ${storageText(facts.storage)}`,
    `  messaging    ${where}; registry ${facts.registry === 'redis' ? 'in Redis' : 'in this process'}`,
    '  look         npm run mesh -- status   |   npm run mesh -- tail <channel or pattern>',
    '  stop         Ctrl-C (SIGINT) or SIGTERM',
    '',
  ].join('\n');
};
