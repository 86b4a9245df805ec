import {
  status,
  type handleUnaryCall,
  type MethodDefinition,
  type ServiceDefinition,
  type StatusObject,
  type UntypedHandleCall,
} from '@grpc/grpc-js';
import { grpcServiceName } from '../adapters/grpc/grpc-service-name.js';

/** A handler per method of `S`, typed like ts-proto's `<Service>Server` interface for unary methods. */
export type ServiceImplementationOf<S extends ServiceDefinition> = {
  [K in keyof S]: S[K] extends MethodDefinition<infer Req, infer Res> & { requestStream: false; responseStream: false }
    ? handleUnaryCall<Req, Res>
    : UntypedHandleCall;
};

/**
 * The message of our placeholder UNIMPLEMENTED. It must not read like grpc-js's own
 * "The server does not implement the method ..." (a method that was never registered).
 */
export const placeholderMessage = (path: string, serviceName: string): string =>
  `${path} is not available yet: ${serviceName} runs as a placeholder in this build`;

/**
 * An implementation of every method of `definition` answering UNIMPLEMENTED with a clear message:
 * registers a service that is not built yet. Spread it under real handlers to fill the gaps:
 * `{ ...unimplementedService(AuthServiceService), validateToken: unaryHandler(...) }`.
 */
export const unimplementedService = <S extends ServiceDefinition>(definition: S): ServiceImplementationOf<S> => {
  const serviceName = grpcServiceName(definition);
  const entries = Object.entries(definition).map(([name, method]) => {
    const answer: Answer = { code: status.UNIMPLEMENTED, details: placeholderMessage(method.path, serviceName) };
    return [name, placeholderHandler(method, answer)] as const;
  });
  return Object.fromEntries(entries) as ServiceImplementationOf<S>;
};

type Answer = Partial<StatusObject>;

const placeholderHandler = (method: MethodDefinition<unknown, unknown>, answer: Answer): UntypedHandleCall => {
  if (!method.responseStream) {
    // Unary and client-streaming calls answer through the callback.
    return (_call: unknown, callback: (error: Answer) => void) => callback(answer);
  }
  // Server-streaming and bidi calls answer by emitting the status as an error (as grpc-js does).
  return (call: { emit(event: 'error', error: Answer): boolean }) => void call.emit('error', answer);
};
