import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { RedisConfig } from '../adapters/redis/redis-config.js';
import { findFreePorts } from './free-ports.js';
import { spawnRedisServer, type RedisServerProcess } from './redis-server-process.js';

const run = promisify(execFile);
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** One master killed and replaced by its replica. */
export interface Failover {
  readonly port: number;
  readonly killedAt: number;
  /** When every slot was served again, by the promoted replica for the dead master's. */
  readonly promotedAt: number;
  /** Resolves once the killed node is back, as a replica of its replacement with its link up. */
  readonly rejoined: Promise<void>;
}

/** A Redis Cluster whose masters each have a replica, so that one can be killed and replaced. */
export interface RedisClusterWithReplicas {
  readonly config: RedisConfig;
  /**
   * SIGKILLs the master at `index` (of the masters sorted by port; the next one whose replica is in sync),
   * waits for the replica to take over, then restarts the killed node (see `rejoined`).
   */
  failMaster(index: number): Promise<Failover>;
  /** Stops every node and deletes their files. Idempotent. */
  stop(): Promise<void>;
}

interface NodeLine {
  readonly id: string;
  readonly port: number;
  readonly flags: readonly string[];
  readonly masterId: string;
  readonly slots: readonly string[];
}

/** `CLUSTER NODES` as one live node sees it. */
const clusterNodes = async (port: number): Promise<NodeLine[]> => {
  const { stdout } = await run('redis-cli', ['-p', String(port), 'cluster', 'nodes'], { timeout: 2_000 });
  return stdout
    .trim()
    .split('\n')
    .map((line) => {
      const [id, address, flags, masterId, , , , , ...slots] = line.split(' ');
      return { id: id!, port: Number(address!.split('@')[0]!.split(':').at(-1)), flags: flags!.split(','), masterId: masterId!, slots };
    });
};

/** `CLUSTER INFO` (`section` 'cluster') or `INFO <section>` of one node. */
const info = async (port: number, section: 'cluster' | 'replication'): Promise<string> => {
  const command = section === 'cluster' ? ['cluster', 'info'] : ['info', section];
  return (await run('redis-cli', ['-p', String(port), ...command], { timeout: 2_000 })).stdout;
};

const until = async (what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`Redis Cluster: ${what} not within ${timeoutMs} ms`);
    await sleep(50);
  }
};

const isMaster = (node: NodeLine): boolean => node.flags.includes('master') && !node.flags.some((f) => f === 'fail' || f === 'fail?');

/**
 * `masters` masters with one replica each (`redis-cli --cluster create --cluster-replicas 1`),
 * resolved once every node sees the cluster ok and every replica's link to its master is up.
 * `nodeTimeoutMs`: how long a master may be silent before its replica takes over.
 */
export const startRedisClusterWithReplicas = async ({
  masters = 3,
  nodeTimeoutMs = 1_000,
}: { readonly masters?: number; readonly nodeTimeoutMs?: number } = {}): Promise<RedisClusterWithReplicas> => {
  const ports = await findFreePorts(masters * 2, { withClusterBus: true });
  const dirs = await Promise.all(ports.map(() => mkdtemp(join(tmpdir(), 'meshwork-redis-failover-'))));
  const args = ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--appendonly', 'no'];
  args.push('--cluster-node-timeout', String(nodeTimeoutMs));
  const servers = new Map<number, RedisServerProcess>();
  const start = async (index: number): Promise<void> => {
    servers.set(ports[index]!, await spawnRedisServer(ports[index]!, dirs[index]!, args));
  };
  const stop = async (): Promise<void> => {
    await Promise.all([...servers.values()].map((server) => server.kill('SIGTERM')));
    servers.clear();
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  };
  const live = (): number[] => [...servers.keys()];
  /** Every live node sees all slots served and every master with a connected replica. */
  const healthy = async (): Promise<boolean> => {
    const views = await Promise.all(
      live().map(async (port) => ({ cluster: await info(port, 'cluster'), nodes: await clusterNodes(port) })),
    );
    return views.every(({ cluster, nodes }) => {
      const serving = nodes.filter(isMaster);
      const replicated = serving.every((master) =>
        nodes.some((n) => n.masterId === master.id && !n.flags.some((f) => f.startsWith('fail'))),
      );
      return cluster.includes('cluster_state:ok') && serving.length === masters && replicated && nodes.length === ports.length;
    });
  };
  const linkUp = async (port: number): Promise<boolean> => (await info(port, 'replication')).includes('master_link_status:up');

  try {
    await Promise.all(ports.map((_, index) => start(index)));
    await run('redis-cli', ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '1', '--cluster-yes'], {
      timeout: 30_000,
    });
    await until('ok with a replica per master', 30_000, healthy);
    const replicas = (await clusterNodes(ports[0]!)).filter((n) => n.flags.includes('slave')).map((n) => n.port);
    await until('replicas in sync', 30_000, async () => (await Promise.all(replicas.map(linkUp))).every(Boolean));
  } catch (error) {
    await stop();
    throw error;
  }

  /** From the master at `index` on, the first whose replica is in sync (a node killed earlier may still be rejoining). */
  const masterToKill = async (index: number): Promise<NodeLine> => {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const nodes = await clusterNodes(live()[0]!).catch(() => []);
      const sorted = nodes.filter(isMaster).sort((a, b) => a.port - b.port);
      const inTurn = [...sorted.slice(index % masters), ...sorted.slice(0, index % masters)];
      const ok = (await info(live()[0]!, 'cluster').catch(() => '')).includes('cluster_state:ok');
      for (const master of ok ? inTurn : []) {
        const replica = nodes.find(
          (n) => n.masterId === master.id && live().includes(n.port) && !n.flags.some((f) => f.startsWith('fail')),
        );
        if (replica && (await linkUp(replica.port).catch(() => false))) return master;
      }
      if (Date.now() > deadline) throw new Error('Redis Cluster: no master with a replica in sync within 30 s');
      await sleep(50);
    }
  };

  return {
    config: { kind: 'cluster', nodes: ports.map((port) => ({ host: '127.0.0.1', port })) },
    stop,
    failMaster: async (index) => {
      const victim = await masterToKill(index);
      const witness = live().find((port) => port !== victim.port)!;
      const killedAt = Date.now();
      await servers.get(victim.port)!.kill('SIGKILL');
      servers.delete(victim.port);
      await until('a replica promoted', 30_000, async () => {
        const view = await clusterNodes(witness);
        const cluster = await info(witness, 'cluster');
        const successor = view.some((n) => isMaster(n) && n.port !== victim.port && n.slots.join() === victim.slots.join());
        return cluster.includes('cluster_state:ok') && successor;
      });
      const promotedAt = Date.now();
      const rejoined = (async () => {
        await start(ports.indexOf(victim.port));
        await until('the killed master back as a replica', 30_000, async () => {
          const view = await clusterNodes(witness);
          const replica = view.some(
            (n) => n.port === victim.port && n.flags.includes('slave') && !n.flags.some((f) => f.startsWith('fail')),
          );
          return replica && (await linkUp(victim.port));
        });
      })();
      rejoined.catch(() => undefined);
      return { port: victim.port, killedAt, promotedAt, rejoined };
    },
  };
};
