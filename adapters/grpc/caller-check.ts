import { Metadata, ServerInterceptingCall, status, type ServerInterceptingCallInterface, type ServerInterceptor } from '@grpc/grpc-js';
import type { CallerAllowList } from './caller-allow-list.js';
import { peerIdentitiesOf } from './mesh-tls-credentials.js';

export type CallerVerdict = { readonly allowed: true } | { readonly allowed: false; readonly code: status; readonly details: string };

/** Health and reflection answer any client with a valid mesh certificate. */
const OPEN_PREFIXES = ['/grpc.health.v1.Health/', '/grpc.reflection.'];

const ALLOWED: CallerVerdict = { allowed: true };

/** Whether a caller whose certificate speaks for `identities` may call `path` at all (before its request is read). */
export const checkCallerIdentity = (path: string, identities: readonly string[], allowList: CallerAllowList): CallerVerdict => {
  if (OPEN_PREFIXES.some((prefix) => path.startsWith(prefix))) return ALLOWED;
  if (identities.length === 0)
    return { allowed: false, code: status.UNAUTHENTICATED, details: 'no client certificate identifies the caller' };
  const callers = allowList[path] ?? [];
  if (identities.some((identity) => callers.includes(identity))) return ALLOWED;
  return { allowed: false, code: status.PERMISSION_DENIED, details: `${identities.join('+')} may not call ${path}` };
};

/** A request's `calling_service`, when it states one, must be a service the certificate speaks for (empty states none). */
export const checkCallingService = (identities: readonly string[], request: unknown): CallerVerdict => {
  const stated = typeof request === 'object' && request !== null ? (request as { callingService?: unknown }).callingService : undefined;
  if (typeof stated !== 'string' || stated === '' || identities.includes(stated)) return ALLOWED;
  return {
    allowed: false,
    code: status.PERMISSION_DENIED,
    details: `calling_service '${stated}' is not the caller's certificate identity (${identities.join('+') || 'none'})`,
  };
};

/**
 * The HTTP/2 session (one TLS connection) a call came on, when grpc-js shows it: its peer certificate
 * cannot change for the session's life (HTTP/2 forbids renegotiation), so the identities are read once
 * per connection. `getAuthContext()` builds the certificate object again on every call (about 1.5% of
 * a service's CPU in the shape benchmark's profile). Undefined when grpc-js's internals change: then
 * every call reads the certificate, as before.
 */
const sessionOf = (call: ServerInterceptingCallInterface): object | undefined => {
  let current: unknown = call;
  for (let depth = 0; depth < 8 && typeof current === 'object' && current !== null; depth += 1) {
    const session = (current as { stream?: { session?: unknown } }).stream?.session;
    if (typeof session === 'object' && session !== null) return session;
    current = (current as { nextCall?: unknown }).nextCall;
  }
  return undefined;
};

const identitiesBySession = new WeakMap<object, readonly string[]>();

/** The services the call's peer certificate speaks for, remembered per connection. */
export const callerIdentitiesOf = (call: ServerInterceptingCallInterface): readonly string[] => {
  const session = sessionOf(call);
  const known = session && identitiesBySession.get(session);
  if (known) return known;
  const identities = peerIdentitiesOf(call.getAuthContext()?.sslPeerCertificate);
  if (session) identitiesBySession.set(session, identities);
  return identities;
};

/**
 * The server side of the mesh's caller identity: the services the peer certificate speaks for; a
 * caller not on the method's allow-list, or whose request names another `calling_service`, gets
 * the status at once and the handler never sees the call.
 */
export const callerCheckInterceptor =
  (allowList: CallerAllowList): ServerInterceptor =>
  (method, call: ServerInterceptingCallInterface) => {
    const identities = callerIdentitiesOf(call);
    let refused = false;
    const intercepted: ServerInterceptingCall = new ServerInterceptingCall(call, {
      start: (next) =>
        next({
          onReceiveMetadata: (metadata, pass) => {
            const verdict = checkCallerIdentity(method.path, identities, allowList);
            if (verdict.allowed) pass(metadata);
            else refuse(verdict);
          },
          onReceiveMessage: (message, pass) => {
            if (refused) return;
            const verdict = checkCallingService(identities, message);
            if (verdict.allowed) pass(message);
            else refuse(verdict);
          },
          onReceiveHalfClose: (pass) => {
            if (!refused) pass();
          },
        }),
    });
    const refuse = (verdict: Extract<CallerVerdict, { allowed: false }>) => {
      refused = true;
      intercepted.sendStatus({ code: verdict.code, details: verdict.details, metadata: new Metadata() });
    };
    return intercepted;
  };
