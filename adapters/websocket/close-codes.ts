import type { CloseReason } from '../../core/gateway/index.js';
import type { FailureKind } from '../../core/shared/errors.js';

/**
 * WebSocket close codes of the gateway: RFC 6455 codes where one fits, and 4xxx (private use)
 * mirroring HTTP statuses where a browser needs to tell "log in again" from "not yours".
 */
export const CloseCodes = {
  normal: 1000,
  goingAway: 1001,
  policy: 1008,
  tooBig: 1009,
  internal: 1011,
  tryAgainLater: 1013,
  unauthenticated: 4401,
  forbidden: 4403,
  notFound: 4404,
  /** The user already holds the most sockets allowed (mirrors HTTP 429). */
  tooMany: 4429,
} as const;

export const closeCodeOf: Readonly<Record<CloseReason, number>> = {
  finished: CloseCodes.normal,
  shutdown: CloseCodes.goingAway,
  policy: CloseCodes.policy,
  unavailable: CloseCodes.tryAgainLater,
  lagging: CloseCodes.tryAgainLater,
  unauthenticated: CloseCodes.unauthenticated,
  forbidden: CloseCodes.forbidden,
  not_found: CloseCodes.notFound,
  too_many: CloseCodes.tooMany,
};

/** How a failed check ends a socket. */
export const closeReasonOf = (kind: FailureKind): CloseReason => {
  switch (kind) {
    case 'unauthenticated':
      return 'unauthenticated';
    case 'forbidden':
      return 'forbidden';
    case 'not_found':
      return 'not_found';
    case 'unavailable':
    case 'rate_limited':
      return 'unavailable';
    case 'invalid':
    case 'conflict':
      return 'policy';
  }
};

/** Close reasons are at most 123 bytes (RFC 6455 §5.5); longer ones are cut. */
export const closeText = (text: string): string => {
  const bytes = Buffer.from(text, 'utf8');
  return bytes.length <= 123
    ? text
    : bytes
        .subarray(0, 120)
        .toString('utf8')
        .replace(/\uFFFD$/, '') + '...';
};
