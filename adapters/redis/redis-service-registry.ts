import { Cluster, type Redis } from 'ioredis';
import type { ServiceInstance } from '../../core/discovery/instance.js';
import { InstanceView, sameRecord } from '../../core/discovery/instance-view.js';
import {
  AllServices,
  type HealthReport,
  type HeartbeatOutcome,
  type InstanceRecord,
  type RegistryChange,
  type RegistryListener,
  type RegistryWatch,
  type ServiceRegistry,
  type WatchScope,
} from '../../core/discovery/ports.js';
import type { Clock } from '../../core/shared/clock.js';
import { createLogger, type Logger } from '../observability/logger.js';
import { callRedis, redisUnavailable, whenReady, type CallTimeouts, type RedisClient } from './redis-call.js';
import type { RedisConnections } from './redis-connections.js';
import {
  decodeRecord,
  encodeChange,
  encodeRecord,
  registryKey,
  registryKeyPattern,
  RegistryChangesChannel,
} from './redis-service-registry-keys.js';
import { callNode, RedisRegistryNotifications, type ExpiryDetection, type RegistrySignal } from './redis-service-registry-notifications.js';

export interface RedisServiceRegistryOptions {
  /** Turn on `expired` keyspace events with CONFIG SET where allowed. Default true. */
  readonly keyspaceNotifications?: boolean;
  /** Watches re-read the registry this often while expiry events arrive (safety net). Default 10 s. */
  readonly reconcileEveryMs?: number;
  /** ... and this often without them (CONFIG refused): how late an expiry may be noticed. Default 1 s. */
  readonly fallbackScanEveryMs?: number;
  /** A re-read that failed (Redis away, a shard failing over) is tried again after this. Default 500 ms. */
  readonly resyncRetryMs?: number;
  readonly logger?: Logger;
}

interface Watch {
  readonly scope: WatchScope;
  readonly listener: RegistryListener;
  readonly view: InstanceView;
  live: boolean;
  /** Registry key -> when a re-read first found the key of a known instance gone (docs/adr/0067). */
  readonly absentSince: Map<string, number>;
}

/**
 * A known instance whose key a re-read finds gone stays this long, re-read every `resyncRetryMs`,
 * before it is taken as expired: a cluster master restarted empty answers for its old slots until
 * gossip tells it it is a replica now (docs/adr/0067).
 */
const ABSENCE_CONFIRM_MS = 2_000;

/**
 * The registry in Redis: `services:{service}:{instance}` holds the record as JSON with a PX
 * expiry, renewed by each heartbeat, so a dead instance disappears by itself. Writers announce
 * registrations, status changes and deregistrations on `services:changes`; expiries arrive as
 * keyspace events, or are found by a SCAN every second where CONFIG is refused (ADR 0011).
 *
 * Give it connections of its own: a watch claims their subscriber connection.
 */
export class RedisServiceRegistry implements ServiceRegistry {
  private readonly watches = new Set<Watch>();
  private readonly logger: Logger;
  private readonly notifications: RedisRegistryNotifications;
  private notificationsStarted: Promise<void> | undefined;
  private resyncing: Promise<void> | undefined;
  private resyncAgain = false;
  private resyncRetry: NodeJS.Timeout | undefined;
  private readonly resyncRetryMs: number;
  private closed = false;

  constructor(
    private readonly connections: RedisConnections,
    private readonly clock: Clock,
    options: RedisServiceRegistryOptions = {},
  ) {
    this.logger = options.logger ?? createLogger('redis-service-registry');
    this.resyncRetryMs = options.resyncRetryMs ?? 500;
    this.notifications = new RedisRegistryNotifications(
      connections,
      {
        keyspaceNotifications: options.keyspaceNotifications ?? true,
        reconcileEveryMs: options.reconcileEveryMs ?? 10_000,
        fallbackScanEveryMs: options.fallbackScanEveryMs ?? 1_000,
        logger: this.logger,
      },
      (signal) => this.onSignal(signal),
    );
  }

  /** How expiries reach watches now; `scan` until the first watch has started. */
  get expiryDetection(): ExpiryDetection {
    return this.notifications.expiryDetection;
  }

  async register(record: InstanceRecord, ttlMs: number): Promise<void> {
    const instance = this.stamp(record, ttlMs);
    const key = registryKey(instance.service, instance.instanceId);
    await this.call(`register ${key}`, (client) => client.set(key, encodeRecord(instance), 'PX', ttlMs));
    await this.announce(key, instance);
  }

  async heartbeat(record: InstanceRecord, ttlMs: number): Promise<HeartbeatOutcome> {
    const instance = this.stamp(record, ttlMs);
    const key = registryKey(instance.service, instance.instanceId);
    const previous = await this.call(`heartbeat ${key}`, (client) => client.set(key, encodeRecord(instance), 'PX', ttlMs, 'XX', 'GET'));
    if (previous === null) {
      await this.register(record, ttlMs);
      return 'restored';
    }
    const old = decodeRecord(key, previous);
    if (!old.ok || !sameRecord(old.value, instance)) await this.announce(key, instance);
    return 'refreshed';
  }

  async reportUnhealthy(service: string, instanceId: string, report: HealthReport): Promise<boolean> {
    const key = registryKey(service, instanceId);
    const written = await this.call(`report ${key} unhealthy`, (client) =>
      client.eval(REPORT_UNHEALTHY_SCRIPT, 1, key, report.reason, report.reportedBy),
    );
    if (typeof written !== 'string') return false;
    const decoded = decodeRecord(key, written);
    if (!decoded.ok) throw new Error(decoded.error);
    await this.announce(key, decoded.value, this.clock.now());
    return true;
  }

  async deregister(service: string, instanceId: string): Promise<boolean> {
    const key = registryKey(service, instanceId);
    const removed = await this.call(`deregister ${key}`, (client) => client.del(key));
    if (removed > 0) await this.announce(key, null);
    return removed > 0;
  }

  async list(service: string): Promise<readonly ServiceInstance[]> {
    return this.read(registryKeyPattern(service));
  }

  async watch(scope: WatchScope, listener: RegistryListener): Promise<RegistryWatch> {
    this.assertOpen();
    this.notificationsStarted ??= this.notifications.start().catch((error: unknown) => {
      this.notificationsStarted = undefined; // the next watch tries again
      throw error;
    });
    await this.notificationsStarted;
    const watch: Watch = { scope, listener, view: new InstanceView(), live: false, absentSince: new Map() };
    // Signals arriving during the first read are applied to the view and end up in `initial`.
    this.watches.add(watch);
    try {
      const since = watch.view.mark();
      const listed = await this.read(scope === AllServices ? registryKeyPattern() : registryKeyPattern(scope));
      watch.view.reconcile((service) => inScope(scope, service), listed, since);
    } catch (error) {
      this.watches.delete(watch);
      throw error;
    }
    watch.live = true;
    const initial = scope === AllServices ? watch.view.all() : watch.view.list(scope);
    return { initial, close: async () => void this.watches.delete(watch) };
  }

  /** Stops every watch and the notifications. The connections are closed by their owner. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.resyncRetry);
    this.watches.clear();
    if (this.notificationsStarted) {
      await this.notificationsStarted.catch(() => undefined);
      await this.notifications.stop();
    }
  }

  private stamp(record: InstanceRecord, ttlMs: number): ServiceInstance {
    if (!(ttlMs > 0)) throw new RangeError(`ttlMs must be positive, got ${ttlMs}`);
    return { ...record, lastHeartbeat: this.clock.now() };
  }

  private async announce(key: string, instance: ServiceInstance | null, changedAt?: number): Promise<void> {
    const message = encodeChange(key, instance, changedAt ?? instance?.lastHeartbeat ?? this.clock.now());
    const client = this.connections.command;
    await callRedis(client, this.connections.timeouts, `announce ${key}`, () => publishOnOneNode(client, message));
  }

  private call<T>(operation: string, send: (client: RedisClient) => Promise<T>): Promise<T> {
    const client = this.connections.command;
    return callRedis(client, this.connections.timeouts, operation, () => send(client));
  }

  /** Every live record under `pattern`, SCANned on each master, ordered by instanceId. */
  private async read(pattern: string): Promise<ServiceInstance[]> {
    const command = this.connections.command;
    // A cluster knows its masters once it is ready.
    if (command.status !== 'ready') await whenReady(command, this.connections.timeouts.readyMs, `SCAN ${pattern}`);
    const masters =
      command instanceof Cluster ? await mastersOfEverySlot(command, this.connections.timeouts, `SCAN ${pattern}`) : [command as Redis];
    const keys = (await Promise.all(masters.map((node) => this.scan(node, pattern)))).flat();
    const values = await Promise.all(keys.map((key) => this.call(`read ${key}`, (client) => client.get(key))));
    const instances: ServiceInstance[] = [];
    values.forEach((value, index) => {
      if (value === null) return; // expired between SCAN and GET
      const decoded = decodeRecord(keys[index]!, value);
      if (decoded.ok) instances.push(decoded.value);
      else this.logger.warn({ reason: decoded.error }, 'skipped a malformed registry record');
    });
    return instances.sort((a, b) => (a.instanceId < b.instanceId ? -1 : a.instanceId > b.instanceId ? 1 : 0));
  }

  private async scan(node: Redis, pattern: string): Promise<string[]> {
    const keys = new Set<string>();
    let cursor = '0';
    do {
      const [next, batch] = await callNode(node, this.connections.timeouts, `SCAN ${pattern}`, () =>
        node.scan(cursor, 'MATCH', pattern, 'COUNT', 500),
      );
      batch.forEach((key) => keys.add(key));
      cursor = next;
    } while (cursor !== '0');
    return [...keys];
  }

  private onSignal(signal: RegistrySignal): void {
    if (signal.kind === 'resync') {
      void this.resync();
      return;
    }
    for (const watch of this.watches) {
      const service = signal.kind === 'written' ? signal.instance.service : signal.service;
      if (!inScope(watch.scope, service)) continue;
      const change =
        signal.kind === 'written'
          ? watch.view.upsert(signal.instance, signal.changedAt)
          : signal.kind === 'deregistered'
            ? watch.view.remove(signal.service, signal.instanceId, 'deregistered', signal.changedAt)
            : watch.view.remove(signal.service, signal.instanceId, 'expired');
      if (change && watch.live) this.deliver(watch, change);
    }
  }

  /**
   * Re-reads the registry for every watch; one pass at a time, another one after if asked meanwhile.
   * A pass that failed is tried again after `resyncRetryMs`, not only at the next periodic re-read.
   */
  private async resync(): Promise<void> {
    if (this.resyncing) {
      this.resyncAgain = true;
      return;
    }
    let failed = false;
    this.resyncing = (async () => {
      do {
        this.resyncAgain = false;
        failed = false;
        for (const watch of [...this.watches]) failed = !(await this.resyncWatch(watch)) || failed;
      } while (this.resyncAgain && !this.closed);
    })();
    await this.resyncing.finally(() => (this.resyncing = undefined));
    if (failed && !this.closed && !this.resyncRetry) {
      this.resyncRetry = setTimeout(() => {
        this.resyncRetry = undefined;
        void this.resync();
      }, this.resyncRetryMs);
      this.resyncRetry.unref();
    }
  }

  /** False when the registry could not be read: the view is left as it was (an unread registry removes nothing). */
  private async resyncWatch(watch: Watch): Promise<boolean> {
    if (!watch.live) return true;
    try {
      const since = watch.view.mark();
      const listed = await this.read(watch.scope === AllServices ? registryKeyPattern() : registryKeyPattern(watch.scope));
      const { instances, unconfirmed } = await this.withUnlistedConfirmed(watch, listed);
      if (!this.watches.has(watch)) return true;
      for (const change of watch.view.reconcile((service) => inScope(watch.scope, service), instances, since)) this.deliver(watch, change);
      // An absence not yet confirmed is re-read soon, as a failed re-read is.
      return !unconfirmed;
    } catch (error) {
      this.logger.debug({ scope: watch.scope, err: String(error) }, 'registry resync failed; retrying');
      return false;
    }
  }

  /**
   * `listed` plus the known instances it lacks whose own key still holds a record. A SCAN of a shard
   * that is failing over can come back short; a read by key goes to the shard's master of the moment
   * (or fails), so an instance is only taken for gone when its key is (docs/adr/0047), and has been
   * for `ABSENCE_CONFIRM_MS` (docs/adr/0067). `unconfirmed`: some are kept only until that is known.
   */
  private async withUnlistedConfirmed(
    watch: Watch,
    listed: readonly ServiceInstance[],
  ): Promise<{ readonly instances: readonly ServiceInstance[]; readonly unconfirmed: boolean }> {
    const seen = new Set(listed.map((instance) => registryKey(instance.service, instance.instanceId)));
    const known = watch.view.all().map((instance) => ({ instance, key: registryKey(instance.service, instance.instanceId) }));
    const missing = known.filter(({ key }) => !seen.has(key));
    const unlisted = missing.map(({ instance }) => instance);
    const unlistedKeys = missing.map(({ key }) => key);
    const stillUnlisted = new Set(unlistedKeys);
    for (const key of watch.absentSince.keys()) if (!stillUnlisted.has(key)) watch.absentSince.delete(key);
    if (unlisted.length === 0) return { instances: listed, unconfirmed: false };
    const values = await Promise.all(unlistedKeys.map((key) => this.call(`read ${key}`, (client) => client.get(key))));
    const now = Date.now();
    const stillThere: ServiceInstance[] = [];
    const awaitingConfirmation: ServiceInstance[] = [];
    values.forEach((value, index) => {
      const key = unlistedKeys[index]!;
      const decoded = value === null ? undefined : decodeRecord(key, value);
      if (decoded?.ok) {
        watch.absentSince.delete(key);
        stillThere.push(decoded.value);
        return;
      }
      const since = watch.absentSince.get(key) ?? now;
      watch.absentSince.set(key, since);
      if (now - since < ABSENCE_CONFIRM_MS) awaitingConfirmation.push(unlisted[index]!);
      else watch.absentSince.delete(key);
    });
    if (stillThere.length > 0 || awaitingConfirmation.length > 0) {
      this.logger.info(
        {
          scope: watch.scope,
          instances: stillThere.map((i) => i.instanceId),
          unconfirmed: awaitingConfirmation.map((i) => i.instanceId),
        },
        'registry listing came back short; kept what its keys still hold, and what is gone only since this re-read',
      );
    }
    return { instances: [...listed, ...stillThere, ...awaitingConfirmation], unconfirmed: awaitingConfirmation.length > 0 };
  }

  private deliver(watch: Watch, change: RegistryChange): void {
    try {
      watch.listener(change);
    } catch (error) {
      this.logger.error({ err: error, change: change.type, instance: change.instance.instanceId }, 'registry watcher failed');
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('the Redis service registry is closed');
  }
}

/**
 * Marks the record under KEYS[1] unhealthy if it is there and healthy, keeping its TTL (a dead
 * instance still expires); ARGV: reason, reporter. Returns the record as written, or false.
 * Redis' cjson writes the 13-digit epoch milliseconds exactly (14 significant digits).
 */
const REPORT_UNHEALTHY_SCRIPT = `
local value = redis.call('GET', KEYS[1])
if not value then return false end
local record = cjson.decode(value)
if record.status ~= 'healthy' then return false end
record.status = 'unhealthy'
record.status_reason = ARGV[1]
record.status_reported_by = ARGV[2]
local encoded = cjson.encode(record)
redis.call('SET', KEYS[1], encoded, 'XX', 'KEEPTTL')
return encoded`;

const inScope = (scope: WatchScope, service: string): boolean => scope === AllServices || scope === service;

/**
 * In a cluster, ioredis sends PUBLISH to a random node, and messages relayed by different nodes
 * can overtake each other; announcing through one node keeps a writer's changes in order.
 */
const publishOnOneNode = (client: RedisClient, message: string): Promise<number> => {
  if (!(client instanceof Cluster)) return client.publish(RegistryChangesChannel, message);
  const masters = client.nodes('master');
  const first = [...masters].sort((a, b) => nodeKey(a).localeCompare(nodeKey(b)))[0];
  return (first ?? client).publish(RegistryChangesChannel, message);
};

const nodeKey = (node: Redis): string => `${node.options.host}:${node.options.port}`;

/**
 * The masters that serve every slot now. While a master fails over, ioredis drops the dead node at once
 * but learns of its successor only at its next slot refresh (after a MOVED reply, which keyless SCANs
 * never get): the masters it knows then miss a shard, and a listing of them is short. So the slot
 * table is refreshed when it names a master ioredis does not hold, and a listing that still cannot
 * cover every slot fails (the next re-read retries) rather than counting the shard's instances as expired.
 */
const mastersOfEverySlot = async (cluster: Cluster, timeouts: CallTimeouts, operation: string): Promise<Redis[]> => {
  if (uncoveredSlotOwners(cluster).length > 0) await refreshSlots(cluster, timeouts.readyMs);
  const uncovered = uncoveredSlotOwners(cluster);
  if (uncovered.length > 0) throw redisUnavailable(operation, `failed: slots served by ${uncovered.join(', ')} are on no master known now`);
  return cluster.nodes('master');
};

/** The owners named by the slot table that are not among the masters ioredis holds (`no node` for an unowned slot). */
const uncoveredSlotOwners = (cluster: Cluster): string[] => {
  const masters = new Set(cluster.nodes('master').map(nodeKey));
  const uncovered = new Set<string>();
  for (let slot = 0; slot < CLUSTER_SLOTS; slot += 1) {
    const owner = cluster.slots[slot]?.[0];
    if (owner === undefined || !masters.has(owner)) uncovered.add(owner ?? 'no node');
  }
  return [...uncovered];
};

/** CLUSTER SLOTS again; resolves when done, failed, or after `timeoutMs`. */
const refreshSlots = (cluster: Cluster, timeoutMs: number): Promise<void> =>
  new Promise((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    cluster.refreshSlotsCache(() => {
      clearTimeout(timer);
      resolve();
    });
  });

const CLUSTER_SLOTS = 16_384;
