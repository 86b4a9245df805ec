import type { InstanceStatus } from './instance.js';
import type { InstanceRecord, ServiceRegistry, Ticker } from './ports.js';

export interface RegistrationOptions {
  /** How often the record's TTL is refreshed. Default 3 s. */
  readonly heartbeatMs?: number;
  /** How long the record outlives the last heartbeat. Default 10 s; must exceed `heartbeatMs`. */
  readonly ttlMs?: number;
  readonly ticker: Ticker;
  /** Told about a heartbeat that failed (the next one retries; the record lives until its TTL). */
  readonly onHeartbeatError?: (error: unknown) => void;
}

export const DefaultRegistration = { heartbeatMs: 3_000, ttlMs: 10_000 } as const;

export interface InstanceRegistration {
  /** The record as last written. */
  readonly record: InstanceRecord;
  /**
   * Writes the new status (and why, when it is not `healthy`) at once: watchers see `updated`, and
   * later heartbeats keep it. `draining` is final: once draining, other statuses are ignored
   * (an instance on its way out does not come back into rotation because a dependency recovered).
   */
  setStatus(status: InstanceStatus, reason?: string): Promise<void>;
  /** Stops the heartbeats and removes the record. Idempotent; later calls of `setStatus` are ignored. */
  deregister(): Promise<void>;
}

/**
 * Registers an instance for as long as the process serves: writes the record now (rejects if
 * that fails, so a service never runs unseen without knowing), refreshes it every `heartbeatMs`,
 * and removes it on `deregister`. A crashed process stops heartbeating and its record expires.
 */
export const registerInstance = async (
  registry: ServiceRegistry,
  record: InstanceRecord,
  options: RegistrationOptions,
): Promise<InstanceRegistration> => {
  const heartbeatMs = options.heartbeatMs ?? DefaultRegistration.heartbeatMs;
  const ttlMs = options.ttlMs ?? DefaultRegistration.ttlMs;
  if (!(heartbeatMs > 0) || !(ttlMs > heartbeatMs)) {
    throw new RangeError(`the TTL (${ttlMs} ms) must exceed the heartbeat interval (${heartbeatMs} ms), which must be positive`);
  }
  let current = record;
  let stopped = false;
  // One write at a time, in order: a heartbeat never overtakes a status change or a deregister.
  let writes: Promise<unknown> = Promise.resolve();
  const enqueue = <T>(write: () => Promise<T>): Promise<T> => {
    const next = writes.then(write);
    writes = next.catch(() => undefined);
    return next;
  };
  let heartbeatPending = false;

  await registry.register(current, ttlMs);
  const task = options.ticker.every(heartbeatMs, () => {
    if (stopped || heartbeatPending) return;
    heartbeatPending = true;
    void enqueue(async () => {
      if (!stopped) await registry.heartbeat(current, ttlMs);
    })
      .catch((error: unknown) => options.onHeartbeatError?.(error))
      .finally(() => (heartbeatPending = false));
  });

  let deregistering: Promise<void> | undefined;
  return {
    get record() {
      return current;
    },
    setStatus: async (status, reason) => {
      if (stopped || (current.status === 'draining' && status !== 'draining')) return;
      const statusReason = status === 'healthy' ? undefined : reason;
      if (current.status === status && current.statusReason === statusReason) return;
      const { statusReason: _previousReason, statusReportedBy: _reportedBy, ...rest } = current;
      current = { ...rest, status, ...(statusReason === undefined ? {} : { statusReason }) };
      await enqueue(() => registry.heartbeat(current, ttlMs));
    },
    deregister: () => {
      deregistering ??= (async () => {
        stopped = true;
        task.cancel();
        await enqueue(() => registry.deregister(current.service, current.instanceId));
      })();
      return deregistering;
    },
  };
};
