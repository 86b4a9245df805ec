import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { RedisConfig } from '../adapters/redis/redis-config.js';
import { findFreePorts } from './free-ports.js';
import { pingRedis, spawnRedisServer, type RedisServerProcess } from './redis-server-process.js';
import { startRedisContainer, testServers } from './test-servers.js';

const run = promisify(execFile);

/**
 * Real Redis for tests, behind one interface: a redis-server process spawned here, or a container
 * started by testcontainers when the run uses containers (test-support/test-servers.ts, docs/adr/0060).
 */
export interface RedisFixture {
  /** How the adapters reach it, as `REDIS_URL` or `REDIS_CLUSTER_NODES` would say. */
  readonly config: RedisConfig;
  /** Stops every server this fixture started and deletes their files. Idempotent. */
  stop(): Promise<void>;
  /**
   * Kills the server(s) with SIGKILL, stays down `downMs`, then starts them again on the same
   * ports and resolves once they serve again (a cluster: once `cluster_state:ok`). The kill is not
   * done when the call returns: a process is signalled at once, a container after a round trip to
   * the runtime's API. A test that acts during the outage waits for a connection that was ready to
   * drop, not for one that has not connected yet.
   */
  restart(options?: { readonly downMs?: number }): Promise<void>;
}

export interface RedisNodeOptions {
  /** Append-only file with fsync on every write, so that data survives `restart()`. */
  readonly persistent?: boolean;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts the server(s) of `start` on fresh ports, retrying when another process takes a port first. */
const withFreshPorts = async <T>(count: number, cluster: boolean, start: (ports: number[]) => Promise<T>): Promise<T> => {
  let lastError: unknown;
  for (let attempt = 0; attempt < 5; attempt += 1) {
    try {
      return await start(await findFreePorts(count, { withClusterBus: cluster }));
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
};

/** One Redis server on a free port: a `redis-server` in its own temporary directory, or a container. */
export const startRedisNode = (options: RedisNodeOptions = {}): Promise<RedisFixture> => {
  const args = options.persistent ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no'];
  return testServers() === 'containers' ? startRedisNodeContainer(args) : startRedisNodeProcess(args);
};

const startRedisNodeContainer = (args: readonly string[]): Promise<RedisFixture> =>
  withFreshPorts(1, false, async ([port]) => {
    const container = await startRedisContainer(port!, args);
    return {
      config: { kind: 'node', url: `redis://${container.host}:${container.port}` },
      stop: () => container.stop(),
      restart: ({ downMs = 0 } = {}) => container.killAndStart(downMs, () => pingRedis(container.port)),
    };
  });

const startRedisNodeProcess = (args: readonly string[]): Promise<RedisFixture> =>
  withFreshPorts(1, false, async ([port]) => {
    const dir = await mkdtemp(join(tmpdir(), 'meshwork-redis-'));
    let server: RedisServerProcess | undefined = await spawnRedisServer(port!, dir, args).catch(async (error: unknown) => {
      await rm(dir, { recursive: true, force: true });
      throw error;
    });
    return {
      config: { kind: 'node', url: `redis://127.0.0.1:${port}` },
      stop: async () => {
        await server?.kill('SIGTERM');
        server = undefined;
        await rm(dir, { recursive: true, force: true });
      },
      restart: async ({ downMs = 0 } = {}) => {
        await server?.kill('SIGKILL');
        await sleep(downMs);
        server = await spawnRedisServer(port!, dir, args);
      },
    };
  });

/**
 * A Redis Cluster of `masters` nodes without replicas (`redis-server --cluster-enabled yes` +
 * `redis-cli --cluster create`), resolved once every node reports `cluster_state:ok`.
 */
export const startRedisCluster = ({ masters = 3 }: { readonly masters?: number } = {}): Promise<RedisFixture> =>
  withFreshPorts(masters, true, async (ports) => {
    const dirs = await Promise.all(ports.map(() => mkdtemp(join(tmpdir(), 'meshwork-redis-cluster-'))));
    const args = [
      '--cluster-enabled',
      'yes',
      '--cluster-config-file',
      'nodes.conf',
      '--cluster-node-timeout',
      '2000',
      '--appendonly',
      'no',
    ];
    const startAll = (): Promise<RedisServerProcess[]> => Promise.all(ports.map((port, i) => spawnRedisServer(port, dirs[i]!, args)));
    let servers: RedisServerProcess[] = [];
    const stop = async (): Promise<void> => {
      await Promise.all(servers.map((s) => s.kill('SIGTERM')));
      servers = [];
      await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
    };
    try {
      servers = await startAll();
      await run('redis-cli', ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes'], {
        timeout: 30_000,
      });
      await waitForClusterOk(ports);
    } catch (error) {
      await stop();
      throw error;
    }
    return {
      config: { kind: 'cluster', nodes: ports.map((port) => ({ host: '127.0.0.1', port })) },
      stop,
      restart: async ({ downMs = 0 } = {}) => {
        await Promise.all(servers.map((s) => s.kill('SIGKILL')));
        await sleep(downMs);
        servers = await startAll();
        await waitForClusterOk(ports);
      },
    };
  });

const clusterInfo = async (port: number): Promise<string> => {
  const { stdout } = await run('redis-cli', ['-p', String(port), 'cluster', 'info'], { timeout: 5_000 });
  return stdout;
};

/** Waits until every node sees the whole cluster with all slots served. */
const waitForClusterOk = async (ports: readonly number[], timeoutMs = 30_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const infos = await Promise.all(ports.map((port) => clusterInfo(port).catch(() => '')));
    const healthy = infos.every(
      (info) =>
        info.includes('cluster_state:ok') &&
        info.includes('cluster_slots_ok:16384') &&
        info.includes(`cluster_known_nodes:${ports.length}`),
    );
    if (healthy) return;
    if (Date.now() > deadline) throw new Error(`Redis Cluster on ${ports.join(', ')} not ok after ${timeoutMs} ms:\n${infos.join('\n')}`);
    await sleep(100);
  }
};
