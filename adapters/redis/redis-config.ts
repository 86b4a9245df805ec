import { err, ok, type Result } from '../../core/shared/result.js';

export interface RedisNodeAddress {
  readonly host: string;
  readonly port: number;
}

/** How the mesh proves who it is to Redis and protects the connection (SECURITY.md, "Redis"). */
export interface RedisSecurity {
  /** ACL user (`REDIS_USERNAME`; for one server also the user in `REDIS_URL`). */
  readonly username?: string;
  /** `REDIS_PASSWORD` (for one server also the password in `REDIS_URL`). */
  readonly password?: string;
  /** TLS: `rediss://`, or `REDIS_TLS=on` (a cluster); `caFile` (`REDIS_TLS_CA`) is then the only CA trusted. */
  readonly tls?: { readonly caFile?: string };
}

/** Where Redis is: one server (`REDIS_URL`) or the seed nodes of a cluster (`REDIS_CLUSTER_NODES`). */
export type RedisConfig =
  | ({ readonly kind: 'node'; readonly url: string } & RedisSecurity)
  | ({ readonly kind: 'cluster'; readonly nodes: readonly RedisNodeAddress[] } & RedisSecurity);

/** The `REDIS_*` settings as read, before they are checked against each other. */
export interface RedisSettings {
  /** `REDIS_URL`: one server. */
  readonly url: string | undefined;
  /** `REDIS_CLUSTER_NODES`: seed nodes of a cluster. */
  readonly clusterNodes: readonly RedisNodeAddress[] | undefined;
  readonly username: string | undefined;
  readonly password: string | undefined;
  /** `REDIS_TLS`: unset follows the URL's scheme. */
  readonly tls: 'on' | 'off' | undefined;
  readonly tlsCa: string | undefined;
}

/**
 * Where Redis is, from `REDIS_URL` (`redis[s]://[user:pass@]host:port[/db]`) or `REDIS_CLUSTER_NODES`,
 * with `REDIS_USERNAME`/`REDIS_PASSWORD` (ACL) and `REDIS_TLS`/`REDIS_TLS_CA`. `undefined` when
 * neither is set (the in-memory adapters then apply); every contradiction is listed at once.
 */
export const redisConfigOf = (settings: RedisSettings): Result<RedisConfig | undefined, readonly string[]> => {
  const { url, clusterNodes } = settings;
  if (url !== undefined && clusterNodes !== undefined)
    return err(['set REDIS_URL (one server) or REDIS_CLUSTER_NODES (a cluster), not both']);
  const security = securityOf(settings, url?.startsWith('rediss://') ?? false);
  if (!security.ok) return security;
  if (clusterNodes !== undefined) return ok({ kind: 'cluster', nodes: clusterNodes, ...security.value });
  if (url !== undefined) return ok({ kind: 'node', url, ...security.value });
  return ok(undefined);
};

/** What `REDIS_URL` must look like. */
export const REDIS_URL_PATTERN = /^rediss?:\/\/[^/\s]+(\/\d+)?$/;

const securityOf = (settings: RedisSettings, rediss: boolean): Result<RedisSecurity, readonly string[]> => {
  const { username, password, tlsCa: caFile } = settings;
  const problems: string[] = [];
  if (rediss && settings.tls === 'off') problems.push('REDIS_TLS=off contradicts a rediss:// REDIS_URL');
  const tls = rediss || settings.tls === 'on';
  if (caFile !== undefined && !tls) problems.push('REDIS_TLS_CA needs TLS: a rediss:// REDIS_URL or REDIS_TLS=on');
  if (username !== undefined && password === undefined) problems.push('REDIS_USERNAME needs REDIS_PASSWORD');
  if (problems.length > 0) return err(problems);
  return ok({
    ...(username !== undefined && { username }),
    ...(password !== undefined && { password }),
    ...(tls && { tls: caFile === undefined ? {} : { caFile } }),
  });
};

/** Parses `host:port,host:port`; IPv6 hosts go in brackets (`[::1]:7000`). */
export const parseClusterNodes = (text: string): Result<RedisNodeAddress[], readonly string[]> => {
  const problems: string[] = [];
  const nodes: RedisNodeAddress[] = [];
  for (const item of text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')) {
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
export const redisConfigToEnv = (config: RedisConfig): Record<string, string> => ({
  ...(config.kind === 'node'
    ? { REDIS_URL: config.url }
    : { REDIS_CLUSTER_NODES: config.nodes.map((n) => `${n.host.includes(':') ? `[${n.host}]` : n.host}:${n.port}`).join(',') }),
  ...(config.username !== undefined && { REDIS_USERNAME: config.username }),
  ...(config.password !== undefined && { REDIS_PASSWORD: config.password }),
  ...(config.tls && { REDIS_TLS: 'on' }),
  ...(config.tls?.caFile !== undefined && { REDIS_TLS_CA: config.tls.caFile }),
});
