import { randomUUID } from 'node:crypto';

export const REQUEST_ID_HEADER = 'x-request-id';

/** Letters, digits and `._:-`, up to 128: safe to log and to echo in a header. */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The id of a request: the caller's `x-request-id` when it is a sane token (so one id follows a
 * request across services), else a fresh UUID.
 */
export const requestIdFrom = (header: string | string[] | undefined, generate: () => string = randomUUID): string =>
  typeof header === 'string' && SANE_REQUEST_ID.test(header) ? header : generate();
