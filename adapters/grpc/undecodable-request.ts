import type { ServiceDefinition } from '@grpc/grpc-js';

const UNDECODABLE = Symbol('undecodable request');

interface UndecodableRequest {
  readonly [UNDECODABLE]: string;
}

/**
 * The same service with request deserializers that never throw: grpc-js answers a throwing one
 * with INTERNAL before any handler runs, but bytes that are no valid message are the caller's
 * mistake. The handler adapter answers the marker with INVALID_ARGUMENT (`undecodableReason`).
 */
export const withTolerantDeserializers = (definition: ServiceDefinition): ServiceDefinition =>
  Object.fromEntries(
    Object.entries(definition).map(([name, method]) => [
      name,
      {
        ...method,
        requestDeserialize: (bytes: Buffer): unknown => {
          try {
            return method.requestDeserialize(bytes);
          } catch (error) {
            const marker: UndecodableRequest = { [UNDECODABLE]: error instanceof Error ? error.message : String(error) };
            return marker;
          }
        },
      },
    ]),
  ) as ServiceDefinition;

/** Why the request could not be decoded, when it is the marker of `withTolerantDeserializers`. */
export const undecodableReason = (request: unknown): string | undefined =>
  typeof request === 'object' && request !== null && UNDECODABLE in request ? (request as UndecodableRequest)[UNDECODABLE] : undefined;
