import type { IncomingMessage } from 'node:http';
import type WebSocket from 'ws';
import type { RawData } from 'ws';
import { failure, type DomainFailure } from '../../core/shared/errors.js';
import { err, ok, type Result } from '../../core/shared/result.js';
import { bearerToken } from '../http/bearer-token.js';

/** The subprotocol a client offers, with its token as the next one: `new WebSocket(url, ['bearer', token])`. */
export const BEARER_PROTOCOL = 'bearer';

/** Echoes `bearer` when offered (a browser drops a connection whose server picks none of its offers). */
export const chooseProtocol = (protocols: Set<string>): string | false => (protocols.has(BEARER_PROTOCOL) ? BEARER_PROTOCOL : false);

/** The token offered as a subprotocol after `bearer`, if any. */
export const tokenFromProtocols = (request: IncomingMessage): string | undefined => {
  const header = request.headers['sec-websocket-protocol'];
  if (typeof header !== 'string') return undefined;
  const offered = header.split(',').map((value) => value.trim());
  const at = offered.indexOf(BEARER_PROTOCOL);
  const token = at >= 0 ? offered[at + 1] : undefined;
  return token === undefined || token === '' ? undefined : token;
};

/**
 * The token of an `Authorization: Bearer <token>` header on the upgrade request (clients outside
 * browsers: a browser cannot set it). Undefined without the header; a malformed one is a failure.
 */
export const tokenFromHeader = (request: IncomingMessage): Result<string, DomainFailure> | undefined => {
  const { authorization } = request.headers;
  return authorization === undefined || authorization === '' ? undefined : bearerToken(authorization);
};

const timedOut = failure('unauthenticated', 'auth_timeout', 'No {"type":"auth","token":...} message came in time.');
const notAnAuthMessage = failure('invalid', 'auth_expected', 'The first message must be {"type":"auth","token":"<bearer token>"}.');

/**
 * The token of the first message, `{"type":"auth","token":"..."}`, if it comes within `timeoutMs`;
 * any other first message is a protocol violation.
 */
export const tokenFromFirstMessage = (socket: WebSocket, timeoutMs: number): Promise<Result<string, DomainFailure>> =>
  new Promise((resolve) => {
    const finish = (outcome: Result<string, DomainFailure>): void => {
      clearTimeout(timer);
      socket.off('message', onMessage);
      socket.off('close', onClose);
      resolve(outcome);
    };
    const onMessage = (data: RawData, isBinary: boolean): void => finish(isBinary ? err(notAnAuthMessage) : parseAuth(data));
    const onClose = (): void => finish(err(timedOut));
    const timer = setTimeout(() => finish(err(timedOut)), timeoutMs);
    socket.on('message', onMessage);
    socket.on('close', onClose);
  });

const parseAuth = (data: RawData): Result<string, DomainFailure> => {
  try {
    const message: unknown = JSON.parse(data.toString());
    if (typeof message !== 'object' || message === null) return err(notAnAuthMessage);
    const { type, token } = message as { type?: unknown; token?: unknown };
    return type === 'auth' && typeof token === 'string' && token !== '' ? ok(token) : err(notAnAuthMessage);
  } catch {
    return err(notAnAuthMessage);
  }
};
