import { Client, credentials, Metadata, status, type ChannelCredentials, type ServiceError } from '@grpc/grpc-js';
import * as auth from '../../adapters/grpc/generated/auth.js';
import * as gateway from '../../adapters/grpc/generated/gateway.js';
import * as project from '../../adapters/grpc/generated/project.js';
import * as simulation from '../../adapters/grpc/generated/simulation.js';

/** One rpc of a generated service definition, with the generated request type of the same name. */
export interface RpcMethod {
  readonly service: 'auth' | 'api-gateway' | 'project' | 'simulation';
  readonly name: string;
  readonly path: string;
  readonly blank: Record<string, unknown>;
  readonly serialize: (value: unknown) => Buffer;
  readonly deserialize: (value: Buffer) => unknown;
}

interface GeneratedMethod {
  readonly path: string;
  readonly requestStream: boolean;
  readonly responseStream: boolean;
  readonly requestSerialize: (value: unknown) => Buffer;
  readonly responseDeserialize: (value: Buffer) => unknown;
}

type GeneratedModule = Record<string, unknown>;

const modules: readonly (readonly [RpcMethod['service'], GeneratedModule])[] = [
  ['auth', auth],
  ['api-gateway', gateway],
  ['project', project],
  ['simulation', simulation],
];

/** Every unary rpc of every `*ServiceService` definition the generated code exports (new rpcs are found by themselves). */
export const generatedRpcs = (): RpcMethod[] =>
  modules.flatMap(([service, module]) =>
    Object.entries(module)
      .filter(([name]) => name.endsWith('ServiceService'))
      .flatMap(([, definition]) => Object.values(definition as Record<string, GeneratedMethod>))
      .filter((method) => !method.requestStream && !method.responseStream)
      .map((method) => {
        const name = method.path.split('/').pop() ?? '';
        const type = module[`${name}Request`] as { fromPartial(value: object): Record<string, unknown> } | undefined;
        if (!type) throw new Error(`no generated ${name}Request for ${method.path}: the matrix cannot build its request`);
        return {
          service,
          name,
          path: method.path,
          blank: type.fromPartial({}),
          serialize: method.requestSerialize,
          deserialize: method.responseDeserialize,
        };
      }),
  );

export interface RpcAnswer {
  readonly code: status;
  readonly response: unknown;
}

/**
 * The credentials the test mesh's gRPC servers take from a caller inside the mesh: insecure today.
 * When the test mesh turns mTLS on, give these a service identity (the control calls fail until then).
 */
export const meshCallerCredentials = (): ChannelCredentials => credentials.createInsecure();

export const callRpc = (client: Client, method: RpcMethod, request: Record<string, unknown>): Promise<RpcAnswer> =>
  new Promise((resolve) => {
    client.makeUnaryRequest(
      method.path,
      method.serialize,
      method.deserialize,
      request,
      new Metadata(),
      { deadline: Date.now() + 10_000 },
      (error: ServiceError | null, response?: unknown) =>
        resolve(error ? { code: error.code, response: undefined } : { code: status.OK, response }),
    );
  });

/** Whether an OK answer grants what was asked: a `valid`, `allowed` or `success` flag when the response has one, else yes. */
export const grants = (answer: RpcAnswer): boolean => {
  if (answer.code !== status.OK) return false;
  const response = (answer.response ?? {}) as Record<string, unknown>;
  const flag = ['valid', 'allowed', 'success'].map((name) => response[name]).find((value) => typeof value === 'boolean');
  return flag === undefined ? true : flag === true;
};
