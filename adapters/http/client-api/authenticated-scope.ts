import type { FastifyInstance, FastifyRequest } from 'fastify';
import { authenticate, type Caller, type TokenCheck } from '../auth/authenticate.js';

/** The caller of a request in an authenticated scope. */
export type CallerOf = (request: FastifyRequest) => Caller;

/**
 * Registers routes that all need a valid bearer token. The token is checked in `onRequest`, before
 * the body is read or validated, so an unauthenticated request is a 401 whatever its body; an auth
 * service that cannot answer is a 503 (the TokenCheck throws `unavailable`).
 */
export const authenticatedScope = (
  app: FastifyInstance,
  check: TokenCheck,
  register: (scope: FastifyInstance, callerOf: CallerOf) => void,
): void => {
  const callers = new WeakMap<FastifyRequest, Caller>();
  const callerOf: CallerOf = (request) => {
    const caller = callers.get(request);
    if (!caller) throw new Error(`no authenticated caller for ${request.method} ${request.url}`);
    return caller;
  };
  void app.register(async (scope) => {
    scope.addHook('onRequest', async (request) => {
      callers.set(request, await authenticate(request, check));
    });
    register(scope, callerOf);
  });
};
