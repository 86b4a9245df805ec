import { err, ok, type Result } from '../shared/result.js';
import type { FieldViolation } from '../shared/errors.js';

/**
 * What a client may send as `Idempotency-Key` (docs/adr/0058): 1 to 255 visible ASCII characters,
 * no spaces (a UUID is the usual choice). The gateway makes one when the client sends none.
 */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

/** A key as a service receives it: the client's, prefixed by the gateway with whose it is. */
export const MAX_SCOPED_IDEMPOTENCY_KEY_LENGTH = 512;

const VISIBLE_ASCII = /^[\x21-\x7e]+$/;

/** The key as sent, or the violation that says why it cannot be used. */
export const checkIdempotencyKey = (field: string, key: string, maxLength = MAX_IDEMPOTENCY_KEY_LENGTH): Result<string, FieldViolation> =>
  key.length <= maxLength && VISIBLE_ASCII.test(key)
    ? ok(key)
    : err({ field, message: `must be 1 to ${maxLength} visible ASCII characters without spaces, such as a UUID` });
