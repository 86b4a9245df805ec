/** What decides whether an instance may take the next call. */
export interface RoutingState {
  readonly id: string;
  /** The registry and health checks count it as healthy. */
  readonly inRotation: boolean;
  /** It said it is leaving (`draining`): it finishes its calls and should get no new one. */
  readonly draining: boolean;
  /** A connection-level signal (connection lost, GOAWAY, connect refused) took it out until it reconnects. */
  readonly ejected: boolean;
  /** Its circuit breaker lets a call through now. */
  readonly breakerAllows: boolean;
}

/**
 * The instances a balancer may choose from, excluding those already tried for this call: the
 * healthy, connected ones whose breaker allows a call. Unhealthy and draining instances are never
 * chosen while one of those is left. If there are none (panic routing: trying an instance in doubt
 * beats failing every call at once, and a dependency every instance shares may be what is down,
 * docs/adr/0044), every one whose breaker allows a call and is not draining; draining ones last,
 * as they still serve until their servers stop (docs/adr/0057). An open breaker is never routed to.
 */
export const routableInstances = <T extends RoutingState>(
  instances: readonly T[],
  exclude: ReadonlySet<string> = new Set(),
): readonly T[] => {
  const allowed = instances.filter((instance) => instance.breakerAllows && !exclude.has(instance.id));
  const preferred = allowed.filter((instance) => instance.inRotation && !instance.ejected);
  if (preferred.length > 0) return preferred;
  const staying = allowed.filter((instance) => !instance.draining);
  return staying.length > 0 ? staying : allowed;
};
