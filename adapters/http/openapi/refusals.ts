import type { OperationDoc } from '../client-api/operation-doc.js';

/**
 * Every 4xx and 503 a route can answer: those of every route of its kind (the input checks of
 * `createHttpApp`, the client defences, the token check) and those its handler adds
 * (`OperationDoc.refusals`). The property test (contract-tests/gateway/openapi-conformance.test.ts)
 * accepts no other status.
 */

export interface Refusal {
  readonly reasons: string[];
  headers?: Readonly<Record<string, string>>;
}

/** Methods whose body fastify reads (DELETE and OPTIONS when they carry a content type). */
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

const RETRY_AFTER = { 'retry-after': 'Seconds to wait before retrying.' };
const WWW_AUTHENTICATE = { 'www-authenticate': '`Bearer`.' };

/** The port's limits on a request, as fastify enforces them: `bodyLimit` where a route sets none. */
export interface RequestLimits {
  readonly bodyLimit: number;
  readonly maxParamLength: number;
}

/** `keyed`: the gateway's write, which checks its `Idempotency-Key` (docs/adr/0058). */
export const describeRefusals = (
  operation: OperationDoc,
  method: string,
  limits: RequestLimits,
  keyed = false,
): ReadonlyMap<number, Refusal> => {
  const refusals = new Map<number, Refusal>();
  const add = (status: number, reason: string, headers?: Readonly<Record<string, string>>) => {
    const refusal = refusals.get(status) ?? { reasons: [] };
    refusal.reasons.push(reason);
    if (headers) refusal.headers = { ...refusal.headers, ...headers };
    refusals.set(status, refusal);
  };
  const schema = operation.route?.schema ?? {};
  const bodyLimit = operation.route?.bodyLimit ?? limits.bodyLimit;

  add(400, 'A control character in the query string (`refused_characters`), or a URL that does not decode.');
  if (schema.params || schema.querystring || schema.body) {
    add(
      400,
      'The request does not match its schema (`validation_failed`, naming each field in `errors`): a wrong type, a value out of ' +
        'bounds, an unknown field or query parameter.',
    );
  }
  if (BODY_METHODS.has(method)) {
    add(400, 'A body that is not JSON (`malformed_body`), nests deeper than 32 levels (`body_too_deep`), or holds control characters.');
    add(413, `A body larger than ${bodyLimit} bytes (\`payload_too_large\`).`);
    add(415, 'A body that is not `application/json` (`unsupported_media_type`).');
  }
  if (/[:*]/.test(operation.path)) {
    add(414, `A path parameter longer than ${limits.maxParamLength} characters (\`request_rejected\`), refused before routing.`);
  }
  if (keyed) add(400, 'An `Idempotency-Key` header that is not 1 to 255 visible ASCII characters (`invalid_idempotency_key`).');
  add(403, 'A browser page of an origin the port does not allow (`cors_origin_denied`).');
  add(429, 'Too many requests from your address (`rate_limited`).', RETRY_AFTER);
  if (operation.access === 'user') {
    add(401, 'No bearer token, or one that is malformed, expired or logged out (`missing_credentials`, `token_*`).', WWW_AUTHENTICATE);
    add(429, 'Too many requests from your account (`rate_limited`, on the gateway).', RETRY_AFTER);
    add(503, 'The auth service could not check the token (`dependency_unavailable`); retry later.');
  }
  for (const [status, reason] of Object.entries(operation.refusals ?? {})) {
    const code = Number(status);
    add(code, reason, code === 401 ? WWW_AUTHENTICATE : code === 429 ? RETRY_AFTER : undefined);
  }
  if (operation.tag !== 'service' && operation.tag !== 'dashboard') {
    add(503, 'The service that owns the resource could not answer (`dependency_unavailable`); retry later.');
  }
  return new Map([...refusals].sort(([a], [b]) => a - b));
};
