import type { InstanceSource, ServiceInstance } from '../../../core/discovery/instance.js';

/**
 * The registry's instances of a service, or, while it has none, one fixed instance at the
 * address the configuration gives (`<SERVICE>_GRPC_TARGET`): so processes without a shared
 * registry (no Redis) still reach each other, and a registered instance takes over as soon as it
 * appears. Services without a fallback are just the registry's.
 */
export class FallbackInstanceSource implements InstanceSource {
  constructor(
    private readonly registry: InstanceSource,
    private readonly fallbacks: ReadonlyMap<string, ServiceInstance>,
  ) {}

  current(service: string): readonly ServiceInstance[] {
    return this.pick(service, this.registry.current(service));
  }

  onChange(service: string, listener: (instances: readonly ServiceInstance[]) => void): () => void {
    let last = this.current(service);
    return this.registry.onChange(service, (registered) => {
      const next = this.pick(service, registered);
      // The fallback stays while the registry has none: a change there that leaves it empty is no change here.
      if (next === last || (next.length === 1 && last.length === 1 && next[0] === last[0])) return;
      last = next;
      listener(next);
    });
  }

  private pick(service: string, registered: readonly ServiceInstance[]): readonly ServiceInstance[] {
    if (registered.length > 0) return registered;
    const fallback = this.fallbacks.get(service);
    return fallback ? [fallback] : registered;
  }
}

/** The fixed instance standing for a configured `host:port` target (ids `configured:<address>`). */
export const configuredInstance = (service: string, grpcTarget: string, httpTarget: string): ServiceInstance => {
  const { host, port } = splitAddress(grpcTarget);
  return {
    service,
    instanceId: `configured:${grpcTarget}`,
    host,
    grpcPort: port,
    httpPort: splitAddress(httpTarget).port,
    status: 'healthy',
    startedAt: 0,
    lastHeartbeat: 0,
  };
};

/** `host:port`, `[v6]:port`: the host as dialled (brackets kept) and the port. */
export const splitAddress = (address: string): { readonly host: string; readonly port: number } => {
  const at = address.lastIndexOf(':');
  return { host: address.slice(0, at), port: Number(address.slice(at + 1)) };
};
