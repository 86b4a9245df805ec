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

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Reads `REDIS_URL` (`redis[s]://[user:pass@]host:port[/db]`) or `REDIS_CLUSTER_NODES`
 * (`host:port,host:port,...`), with `REDIS_USERNAME`/`REDIS_PASSWORD` (ACL) and `REDIS_TLS`/
 * `REDIS_TLS_CA`. `undefined` when neither is set (the in-memory adapters then apply); every
 * problem is listed at once.
 */
export const readRedisConfig = (env: Env = process.env): Result<RedisConfig | undefined, readonly string[]> => {
  const url = env.REDIS_URL?.trim() || undefined;
  const nodes = env.REDIS_CLUSTER_NODES?.trim() || undefined;
  if (url && nodes) return err(['set REDIS_URL (one server) or REDIS_CLUSTER_NODES (a cluster), not both']);
  const security = readSecurity(env, url?.startsWith('rediss://') ?? false);
  if (!security.ok) return security;
  if (nodes) {
    const parsed = parseClusterNodes(nodes);
    return parsed.ok ? ok({ kind: 'cluster', nodes: parsed.value, ...security.value }) : parsed;
  }
  if (url) {
    return /^rediss?:\/\/[^/\s]+(\/\d+)?$/.test(url)
      ? ok({ kind: 'node', url, ...security.value })
      : err([`REDIS_URL must look like redis://host:port or redis://user:password@host:port/db; got '${url.replace(/:[^:@/]*@/, ':***@')}'`]);
  }
  return ok(undefined);
};

const readSecurity = (env: Env, rediss: boolean): Result<RedisSecurity, readonly string[]> => {
  const username = env.REDIS_USERNAME?.trim() || undefined;
  const password = env.REDIS_PASSWORD || undefined;
  const tlsFlag = env.REDIS_TLS?.trim() || undefined;
  const caFile = env.REDIS_TLS_CA?.trim() || undefined;
  const problems: string[] = [];
  if (tlsFlag !== undefined && tlsFlag !== 'on' && tlsFlag !== 'off') problems.push(`REDIS_TLS must be on or off; got '${tlsFlag}'`);
  if (rediss && tlsFlag === 'off') problems.push('REDIS_TLS=off contradicts a rediss:// REDIS_URL');
  const tls = rediss || tlsFlag === 'on';
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
export const redisConfigToEnv = (config: RedisConfig): Record<string, string> => ({
  ...(config.kind === 'node'
    ? { REDIS_URL: config.url }
    : { REDIS_CLUSTER_NODES: config.nodes.map((n) => `${n.host.includes(':') ? `[${n.host}]` : n.host}:${n.port}`).join(',') }),
  ...(config.username !== undefined && { REDIS_USERNAME: config.username }),
  ...(config.password !== undefined && { REDIS_PASSWORD: config.password }),
  ...(config.tls && { REDIS_TLS: 'on' }),
  ...(config.tls?.caFile !== undefined && { REDIS_TLS_CA: config.tls.caFile }),
});
