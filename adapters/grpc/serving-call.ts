import { currentScope, runInScope, type RequestScope } from '../observability/trace-context-scope.js';

/** What a gRPC call being served passes on to the calls its handler makes: deadline, cancellation, trace. */
export interface ServingCall extends RequestScope {
  /** When the caller stops waiting; undefined when it set no deadline. */
  readonly deadline: Date | undefined;
  /** Aborted when the caller cancels or the deadline passes. */
  readonly signal: AbortSignal;
}

/**
 * Runs a handler with its call's deadline, cancellation and trace in scope, so that every
 * downstream call it makes (however deep in the domain) gets at most the time the request has
 * left and continues its trace, without each use case threading them through its ports. The scope
 * is the one of `trace-context-scope.ts`: an HTTP request or a delivered message has a trace there
 * but no deadline nor signal.
 */
export const whileServing = <T>(call: ServingCall, run: () => T): T => runInScope(call, run);

/** The scope of the current async context: the gRPC call being served, or a traced request or message. */
export const servingCall = (): RequestScope | undefined => currentScope();
