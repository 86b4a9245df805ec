import { DomainFailureError } from '../shared/errors.js';
import type { AuthDeps } from './deps.js';
import type { SocketClosure } from './ports.js';

/**
 * Closes the user's sockets on every gateway (docs/adr/0052): what a logout, a reused refresh
 * token and a deactivation do. Resolves how many were closed, or undefined when no gateway
 * answered (or none is wired): the caller's own change stands all the same, and for a session the
 * `auth:events:logout` event makes each gateway close what is left of it.
 */
export const closeUserSockets = async (deps: Pick<AuthDeps, 'sockets'>, closure: SocketClosure): Promise<number | undefined> => {
  if (!deps.sockets) return undefined;
  try {
    return await deps.sockets.close(closure);
  } catch (error) {
    // Unavailable, or refused (logged by the adapter): the caller's change stands all the same.
    if (error instanceof DomainFailureError) return undefined;
    throw error;
  }
};
