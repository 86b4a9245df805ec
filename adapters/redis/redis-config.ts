import { err, ok, type Result } from '../../core/shared/result.js';

export interface RedisNodeAddress {
  readonly host: string;
  readonly port: number;
}

/** Where Redis is: one server (`REDIS_URL`) or the seed nodes of a cluster (`REDIS_CLUSTER_NODES`). */
export type RedisConfig =
  | { readonly kind: 'node'; readonly url: string }
  | { readonly kind: 'cluster'; readonly nodes: readonly RedisNodeAddress[] };

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Reads `REDIS_URL` (`redis://[user:pass@]host:port[/db]`) or `REDIS_CLUSTER_NODES`
 * (`host:port,host:port,...`). `undefined` when neither is set (the in-memory adapters then apply);
 * every problem is listed at once.
 */
export const readRedisConfig = (env: Env = process.env): Result<RedisConfig | undefined, readonly string[]> => {
  const url = env.REDIS_URL?.trim() || undefined;
  const nodes = env.REDIS_CLUSTER_NODES?.trim() || undefined;
  if (url && nodes) return err(['set REDIS_URL (one server) or REDIS_CLUSTER_NODES (a cluster), not both']);
  if (nodes) {
    const parsed = parseClusterNodes(nodes);
    return parsed.ok ? ok({ kind: 'cluster', nodes: parsed.value }) : parsed;
  }
  if (url) {
    return /^rediss?:\/\/[^/\s]+(\/\d+)?$/.test(url)
      ? ok({ kind: 'node', url })
      : err([`REDIS_URL must look like redis://host:port or redis://user:password@host:port/db; got '${url}'`]);
  }
  return ok(undefined);
};

/** Parses `host:port,host:port`; IPv6 hosts go in brackets (`[::1]:7000`). */
export const parseClusterNodes = (text: string): Result<RedisNodeAddress[], readonly string[]> => {
  const problems: string[] = [];
  const nodes: RedisNodeAddress[] = [];
  for (const item of text.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
    const match = /^(\[[^\]]+\]|[^:\s]+):(\d{1,5})$/.exec(item);
    const port = Number(match?.[2]);
    if (!match || port < 1 || port > 65_535) {
      problems.push(`REDIS_CLUSTER_NODES entries must be host:port; got '${item}'`);
      continue;
    }
    nodes.push({ host: match[1]!.replace(/^\[|\]$/g, ''), port });
  }
  if (nodes.length === 0 && problems.length === 0) problems.push('REDIS_CLUSTER_NODES lists no node');
  return problems.length > 0 ? err(problems) : ok(nodes);
};

/** The `REDIS_URL` / `REDIS_CLUSTER_NODES` form of a configuration, for child processes. */
export const redisConfigToEnv = (config: RedisConfig): Record<string, string> =>
  config.kind === 'node'
    ? { REDIS_URL: config.url }
    : { REDIS_CLUSTER_NODES: config.nodes.map((n) => `${n.host.includes(':') ? `[${n.host}]` : n.host}:${n.port}`).join(',') };
