import { AsyncLocalStorage } from 'node:async_hooks';

/** What a gRPC call being served passes on to the calls its handler makes. */
export interface ServingCall {
  /** When the caller stops waiting; undefined when it set no deadline. */
  readonly deadline: Date | undefined;
  /** Aborted when the caller cancels or the deadline passes. */
  readonly signal: AbortSignal;
}

const serving = new AsyncLocalStorage<ServingCall>();

/**
 * Runs a handler with its call's deadline and cancellation in scope, so that every downstream call
 * it makes (however deep in the domain) gets at most the time the request has left, without each
 * use case threading a deadline through its ports.
 */
export const whileServing = <T>(call: ServingCall, run: () => T): T => serving.run(call, run);

/** The call being served by the current async context, if any. */
export const servingCall = (): ServingCall | undefined => serving.getStore();
