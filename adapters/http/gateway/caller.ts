import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Authenticator, Identity, RateLimiter } from '../../../core/gateway/index.js';
import { DomainFailureError } from '../../../core/shared/errors.js';
import { bearerToken } from '../bearer-token.js';
import { idempotencyKeyOf } from '../client-api/idempotency-key-header.js';
import { unwrap } from '../unwrap.js';
import type { ApiCall } from './client-api-ports.js';
import { refuseTooMany } from './rate-limits.js';

/** Identifies callers by their bearer token (the auth service decides) and counts their requests. */
export class CallerCheck {
  private readonly known = new WeakMap<FastifyRequest, Identity>();

  constructor(
    private readonly authenticator: Authenticator,
    private readonly perUser: RateLimiter,
  ) {}

  /**
   * An `onRequest` hook: the caller is identified (or refused with 401/429/503) before the body is
   * parsed or validated, so an anonymous client learns nothing from field errors.
   */
  readonly guard = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    this.known.set(request, await this.identify(request, reply));
  };

  /** The caller of a request with a valid token, within their rate limit; otherwise throws the 401/429/503 failure. */
  async identify(request: FastifyRequest, reply: FastifyReply): Promise<Identity> {
    const known = this.known.get(request);
    if (known !== undefined) return known;
    const token = unwrap(bearerToken(request.headers.authorization));
    const identity = await this.authenticator.authenticate(token, request.id);
    if (!identity.ok) throw new DomainFailureError(identity.error);
    const decision = this.perUser.take(`user:${identity.value.userId}`);
    if (!decision.allowed) refuseTooMany(reply, decision.retryAfterMs, 'user');
    return identity.value;
  }

  /** As `identify`, shaped for a downstream call; a write's idempotency key is scoped to the user (two users may pick the same key). */
  async call(request: FastifyRequest, reply: FastifyReply): Promise<ApiCall> {
    const identity = await this.identify(request, reply);
    const key = idempotencyKeyOf(request);
    return {
      userId: identity.userId,
      requestId: request.id,
      ...(key !== undefined && { idempotencyKey: `user:${identity.userId}:${key}` }),
    };
  }
}
