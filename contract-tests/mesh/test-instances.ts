import type { InstanceSource, ServiceInstance } from '../../core/discovery/instance.js';

/** Test fixture: an instance source whose instances the test sets, notifying like a registry would. */
export class FixedInstanceSource implements InstanceSource {
  private readonly byService = new Map<string, ServiceInstance[]>();
  private readonly listeners = new Map<string, Set<(instances: readonly ServiceInstance[]) => void>>();

  current(service: string): readonly ServiceInstance[] {
    return this.byService.get(service) ?? [];
  }

  onChange(service: string, listener: (instances: readonly ServiceInstance[]) => void): () => void {
    const set = this.listeners.get(service) ?? new Set();
    this.listeners.set(service, set);
    set.add(listener);
    return () => set.delete(listener);
  }

  set(service: string, instances: readonly ServiceInstance[]): void {
    const sorted = [...instances].sort((a, b) => a.instanceId.localeCompare(b.instanceId));
    this.byService.set(service, sorted);
    for (const listener of this.listeners.get(service) ?? []) listener(sorted);
  }

  add(instance: ServiceInstance): void {
    this.set(instance.service, [...this.current(instance.service).filter((i) => i.instanceId !== instance.instanceId), instance]);
  }

  remove(service: string, instanceId: string): void {
    this.set(
      service,
      this.current(service).filter((i) => i.instanceId !== instanceId),
    );
  }
}

/** A healthy instance of `service` at `address` (`host:port`). */
export const instanceAt = (service: string, instanceId: string, address: string): ServiceInstance => {
  const [host, port] = address.split(':');
  return {
    service,
    instanceId,
    host: host!,
    grpcPort: Number(port),
    httpPort: 0,
    status: 'healthy',
    startedAt: 0,
    lastHeartbeat: 0,
  };
};
