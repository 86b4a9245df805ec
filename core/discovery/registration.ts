import type { InstanceStatus } from './instance.js';
import type { InstanceRecord, ServiceRegistry, Ticker } from './ports.js';

export interface RegistrationOptions {
  /** How often the record's TTL is refreshed. Default 3 s. */
  readonly heartbeatMs?: number;
  /** How long the record outlives the last heartbeat. Default 10 s; must exceed `heartbeatMs`. */
  readonly ttlMs?: number;
  /**
   * After a failed heartbeat, the next is tried this soon, and again until one succeeds: a record lost
   * with a Redis failover or restart is written again within this of Redis serving. Default 500 ms (at most `heartbeatMs`).
   */
  readonly retryMs?: number;
  readonly ticker: Ticker;
  /** Told about a heartbeat that failed (retried after `retryMs`; the record lives until its TTL). */
  readonly onHeartbeatError?: (error: unknown) => void;
}

export const DefaultRegistration = { heartbeatMs: 3_000, ttlMs: 10_000, retryMs: 500 } as const;

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
  const retryMs = Math.min(options.retryMs ?? DefaultRegistration.retryMs, heartbeatMs);
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
  /** Runs while heartbeats fail, every `retryMs`, beside the regular ticks. */
  let retrying: { cancel(): void } | undefined;
  const stopRetrying = (): void => {
    retrying?.cancel();
    retrying = undefined;
  };
  const beat = (): void => {
    if (stopped || heartbeatPending) return;
    heartbeatPending = true;
    void enqueue(async () => {
      if (!stopped) await registry.heartbeat(current, ttlMs);
    })
      .then(stopRetrying, (error: unknown) => {
        options.onHeartbeatError?.(error);
        if (!retrying && !stopped) retrying = options.ticker.every(retryMs, beat);
      })
      .finally(() => (heartbeatPending = false));
  };

  await registry.register(current, ttlMs);
  const task = options.ticker.every(heartbeatMs, beat);

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
        stopRetrying();
        await enqueue(() => registry.deregister(current.service, current.instanceId));
      })();
      return deregistering;
    },
  };
};
