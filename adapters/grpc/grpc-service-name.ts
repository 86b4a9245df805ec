import type { ServiceDefinition } from '@grpc/grpc-js';

/**
 * The fully-qualified name of a service (`auth.AuthService`), read from its methods' paths
 * (`/auth.AuthService/ValidateToken`): generated definitions carry no separate name.
 */
export const grpcServiceName = (definition: ServiceDefinition): string => {
  const first = Object.values(definition)[0];
  const match = first ? /^\/([^/]+)\/[^/]+$/.exec(first.path) : null;
  if (!match?.[1]) throw new Error('Cannot tell the service name of an empty or malformed definition');
  return match[1];
};
