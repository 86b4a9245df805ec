import { connectivityState, type Client } from '@grpc/grpc-js';
import type { GrpcClientSource } from '../grpc-client-source.js';

/**
 * The connectivity state of each dependency's channel (`IDLE`, `CONNECTING`, `READY`,
 * `TRANSIENT_FAILURE`, `SHUTDOWN`), for a HealthCheck's `details`. Read without connecting, so a
 * health probe never dials a dependency.
 */
export const channelStates = (sources: Readonly<Record<string, GrpcClientSource<Client>>>): Record<string, string> =>
  Object.fromEntries(
    Object.entries(sources).map(([name, source]) => [name, connectivityState[source.client().getChannel().getConnectivityState(false)]]),
  );
