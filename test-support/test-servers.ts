import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GenericContainer, getContainerRuntimeClient, Wait, type StartedTestContainer } from 'testcontainers';

/**
 * Where the Redis and PostgreSQL servers of the tests come from (docs/adr/0060):
 * - `local`: redis-server processes spawned on free ports, and the PostgreSQL server of this
 *   machine (scripts/ensure-services.sh installs and starts both);
 * - `containers`: testcontainers starts them in containers of a Docker-compatible runtime
 *   (Docker, or Podman's API socket).
 * `TEST_SERVERS=local|containers|auto` (default auto: containers when a runtime answers) is
 * resolved once per run by test-support/global-setup.ts, which writes the answer back to
 * TEST_SERVERS for the test workers.
 */
export type TestServers = 'local' | 'containers';

export const testServers = (): TestServers => (process.env.TEST_SERVERS === 'containers' ? 'containers' : 'local');

/** Images: the public ones by default; where no registry is reachable, locally built ones (scripts/build-dependency-images.sh). */
export const testRedisImage = (): string => process.env.TEST_REDIS_IMAGE ?? 'docker.io/library/redis:7';
export const testPostgresImage = (): string => process.env.TEST_POSTGRES_IMAGE ?? 'docker.io/library/postgres:16';

/** Every container a test run starts carries this label, so a run's teardown removes what a crashed test left. */
export const TEST_RUN_LABEL = 'meshwork.test-run';
export const testRunId = (): string => process.env.MESHWORK_TEST_RUN ?? `pid-${process.pid}`;

export const HOW_TO_GET_A_RUNTIME =
  'TEST_SERVERS=containers needs a Docker-compatible runtime: Docker, or Podman with its API socket ' +
  '(`bash scripts/ensure-containers.sh` installs podman and starts `podman system service`), then ' +
  'DOCKER_HOST=unix:///run/podman/podman.sock TESTCONTAINERS_RYUK_DISABLED=true TESTCONTAINERS_HOST_OVERRIDE=127.0.0.1. ' +
  'Or run with TEST_SERVERS=local (redis-server and PostgreSQL on this machine).';

/** Resolves `auto`: containers when a runtime answers within a few seconds, else local. `containers` with no runtime throws. */
export const resolveTestServers = async (wanted = process.env.TEST_SERVERS ?? 'auto'): Promise<TestServers> => {
  if (wanted === 'local') return 'local';
  if (wanted !== 'containers' && wanted !== 'auto') throw new Error(`TEST_SERVERS must be local, containers or auto; got '${wanted}'`);
  const reachable = await Promise.race([
    getContainerRuntimeClient().then(
      () => true,
      () => false,
    ),
    new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 5_000).unref()),
  ]);
  if (reachable) return 'containers';
  if (wanted === 'containers') throw new Error(`No container runtime answered. ${HOW_TO_GET_A_RUNTIME}`);
  return 'local';
};

/** A Redis server in a container on the host's network, on `hostPort` (fixed, so a restart keeps the address). */
export interface RedisContainer {
  readonly host: string;
  readonly port: number;
  /**
   * SIGKILL, then after `downMs` the same server again: a new container on the same port and the
   * same data directory (a bind mount), resolved once `ready()`. (Starting the killed container
   * again races Podman's clean-up of it, which can cut the new server's first connections.)
   */
  killAndStart(downMs: number, ready: () => Promise<boolean>): Promise<void>;
  stop(): Promise<void>;
}

export const startRedisContainer = async (hostPort: number, extraArgs: readonly string[]): Promise<RedisContainer> => {
  // Redis's files on the host, so that a restart in a new container finds them (the image's user writes them).
  const dataDir = await mkdtemp(join(tmpdir(), 'meshwork-redis-container-'));
  await chmod(dataDir, 0o777);
  // The host's network: no network namespace to make at each start, and the server is on
  // 127.0.0.1:<hostPort> as a local one would be.
  const start = () =>
    new GenericContainer(testRedisImage())
      .withNetworkMode('host')
      .withBindMounts([{ source: dataDir, target: '/data', mode: 'rw' }])
      .withCommand([
        'redis-server',
        '--protected-mode',
        'no',
        '--bind',
        '127.0.0.1',
        '--port',
        String(hostPort),
        '--dir',
        '/data',
        '--save',
        '',
        ...extraArgs,
      ])
      .withLabels({ [TEST_RUN_LABEL]: testRunId() })
      .withWaitStrategy(Wait.forLogMessage(/Ready to accept connections/))
      .withStartupTimeout(60_000)
      .start();
  let started: StartedTestContainer = await start();
  return {
    host: '127.0.0.1',
    port: hostPort,
    killAndStart: async (downMs, ready) => {
      const client = await getContainerRuntimeClient();
      const container = client.container.getById(started.getId());
      await container.kill({ signal: 'SIGKILL' });
      await container.remove({ force: true, v: true }).catch(() => undefined);
      await sleep(downMs);
      started = await start();
      const deadline = Date.now() + 30_000;
      while (!(await ready())) {
        if (Date.now() > deadline) throw new Error(`the Redis container on port ${hostPort} did not serve again within 30 s`);
        await sleep(50);
      }
    },
    stop: async () => {
      await started.stop({ timeout: 0, remove: true, removeVolumes: true }).catch(() => undefined);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
};

/** A PostgreSQL server in a container with trust authentication; its admin URL is what `TEST_POSTGRES_URL` says. */
export const startPostgresContainer = async (): Promise<{ readonly adminUrl: string; stop(): Promise<void> }> => {
  const started: StartedTestContainer = await new GenericContainer(testPostgresImage())
    .withEnvironment({ POSTGRES_HOST_AUTH_METHOD: 'trust', POSTGRES_USER: 'postgres' })
    // Many databases at once, a throwaway cluster: no fsync.
    .withCommand(['postgres', '-c', 'fsync=off', '-c', 'max_connections=300'])
    .withExposedPorts(5432)
    .withLabels({ [TEST_RUN_LABEL]: testRunId() })
    // The public image logs this twice (its init server, then the real one): the URL is polled after.
    .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/))
    .withStartupTimeout(120_000)
    .start();
  return {
    adminUrl: `postgres://postgres@${started.getHost()}:${started.getMappedPort(5432)}/postgres`,
    stop: async () => {
      await started.stop({ timeout: 5_000, remove: true, removeVolumes: true });
    },
  };
};

/** Removes the containers a test run left (a test that crashed before its afterAll). */
export const removeTestRunContainers = async (runId: string): Promise<number> => {
  const client = await getContainerRuntimeClient();
  const left = await client.container.dockerode.listContainers({ all: true, filters: { label: [`${TEST_RUN_LABEL}=${runId}`] } });
  await Promise.all(
    left.map((info) =>
      client.container
        .getById(info.Id)
        .remove({ force: true, v: true })
        .catch(() => undefined),
    ),
  );
  return left.length;
};

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
