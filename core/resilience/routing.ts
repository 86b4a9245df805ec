/** What decides whether an instance may take the next call. */
export interface RoutingState {
  readonly id: string;
  /** The registry and health checks count it as healthy. */
  readonly inRotation: boolean;
  /** A connection-level signal (connection lost, GOAWAY, connect refused) took it out until it reconnects. */
  readonly ejected: boolean;
  /** Its circuit breaker lets a call through now. */
  readonly breakerAllows: boolean;
}

/**
 * The instances a balancer may choose from, excluding those already tried for this call: the
 * healthy, connected ones whose breaker allows a call. If there are none, every one whose breaker
 * allows a call (panic routing: trying an instance in doubt beats failing every call at once).
 * An open breaker is never routed to.
 */
export const routableInstances = <T extends RoutingState>(
  instances: readonly T[],
  exclude: ReadonlySet<string> = new Set(),
): readonly T[] => {
  const allowed = instances.filter((instance) => instance.breakerAllows && !exclude.has(instance.id));
  const preferred = allowed.filter((instance) => instance.inRotation && !instance.ejected);
  return preferred.length > 0 ? preferred : allowed;
};
