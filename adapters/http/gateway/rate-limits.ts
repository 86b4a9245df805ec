import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RateLimiter } from '../../../core/gateway/index.js';
import { DomainFailureError, failure } from '../../../core/shared/errors.js';

/** One limiter per kind of key: by client address for every request, by user once authenticated. */
export interface ClientRateLimits {
  readonly perAddress: RateLimiter;
  readonly perUser: RateLimiter;
}

/** Sets `Retry-After` (whole seconds, at least 1) and throws the 429 failure for the problem handler. */
export const refuseTooMany = (reply: FastifyReply, retryAfterMs: number, who: string): never => {
  reply.header('retry-after', String(Math.max(1, Math.ceil(retryAfterMs / 1000))));
  throw new DomainFailureError(failure('rate_limited', 'rate_limited', `Too many requests from this ${who}; retry later.`));
};

/** Counts every request against its client address (default `request.ip`) before anything else runs. */
export const limitByAddress = (
  app: FastifyInstance,
  limiter: RateLimiter,
  addressOf: (request: FastifyRequest) => string = (request) => request.ip,
): void => {
  app.addHook('onRequest', async (request, reply) => {
    const decision = limiter.take(`ip:${addressOf(request)}`);
    if (!decision.allowed) refuseTooMany(reply, decision.retryAfterMs, 'address');
  });
};
