import { randomUUID } from 'node:crypto';
import type { InstanceRecord, RegistryChange, RegistryWatch, ServiceRegistry, Ticker, WatchScope } from '../../core/discovery/ports.js';

/** A service name no other test uses (no ':' — it is part of a registry key). */
export const uniqueService = (base = 'svc'): string => `${base}-${randomUUID().slice(0, 8)}`;

export const anInstance = (service: string, overrides: Partial<InstanceRecord> = {}): InstanceRecord => ({
  service,
  instanceId: `instance-${randomUUID().slice(0, 8)}`,
  host: '127.0.0.1',
  grpcPort: 9000,
  httpPort: 9001,
  status: 'healthy',
  startedAt: Date.now(),
  ...overrides,
});

export interface ChangeRecorder {
  readonly changes: RegistryChange[];
  readonly watch: RegistryWatch;
  /** `type:instanceId` of every change so far, e.g. `added:instance-1`. */
  summary(): string[];
}

export const recordChanges = async (registry: ServiceRegistry, scope: WatchScope): Promise<ChangeRecorder> => {
  const changes: RegistryChange[] = [];
  const watch = await registry.watch(scope, (change) => changes.push(change));
  return {
    changes,
    watch,
    summary: () => changes.map((c) => `${c.type}${c.type === 'removed' ? `(${c.reason})` : ''}:${c.instance.instanceId}`),
  };
};

/** A Ticker on real timers, as the composition's scheduler would be. */
export const intervalTicker: Ticker = {
  every: (intervalMs, tick) => {
    const timer = setInterval(() => void tick(), intervalMs);
    return { cancel: () => clearInterval(timer) };
  },
};
