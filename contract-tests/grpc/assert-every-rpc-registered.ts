import { status } from '@grpc/grpc-js';
import { callWithEmptyRequest, loadServices, waitForReady } from './generic-grpc-client.js';

/** What one method answered to an empty request. */
export interface RpcProbe {
  readonly path: string;
  readonly code: status;
  readonly details: string;
}

export interface RegistrationCheckOptions {
  /** Folders that `import` statements in the .proto files resolve against. */
  readonly includeDirs?: readonly string[];
  /** Per call; generous, because a loaded 2-core CI box is slow. Default 15 s. */
  readonly timeoutMs?: number;
}

/** grpc-js's answer for a path no handler was registered for (see its server.js). */
const NOT_REGISTERED_PREFIX = 'The server does not implement the method';

/**
 * Calls every rpc declared in `protoFiles` on the server at `address` with an empty request and
 * throws, listing all offenders, unless each answer came from a registered handler: any status
 * but grpc-js's "does not implement the method" UNIMPLEMENTED. UNAVAILABLE also fails: it proves
 * nothing about registration. Returns the probes for further assertions.
 */
export const assertEveryRpcRegistered = async (
  address: string,
  protoFiles: readonly string[],
  options: RegistrationCheckOptions = {},
): Promise<RpcProbe[]> => {
  const services = await loadServices(protoFiles, options.includeDirs);
  if (services.length === 0) throw new Error(`No service declared in ${protoFiles.join(', ')}`);
  const deadline = () => new Date(Date.now() + (options.timeoutMs ?? 15_000));
  const probes = await Promise.all(
    services.map(async (service) => {
      const client = service.connect(address);
      try {
        await waitForReady(client, deadline());
        return await Promise.all(
          Object.values(service.definition).map(async (method) => ({
            path: method.path,
            ...(await callWithEmptyRequest(client, method, deadline())),
          })),
        );
      } finally {
        client.close();
      }
    }),
  );
  const all = probes.flat();
  const offenders = all.filter(isNotRegistered);
  if (offenders.length > 0) {
    const lines = offenders.map((p) => `  ${p.path}: ${status[p.code]} ${p.details}`);
    throw new Error(`${offenders.length} of ${all.length} rpcs not served at ${address}:\n${lines.join('\n')}`);
  }
  return all;
};

const isNotRegistered = ({ code, details }: RpcProbe): boolean =>
  code === status.UNAVAILABLE || (code === status.UNIMPLEMENTED && details.startsWith(NOT_REGISTERED_PREFIX));
