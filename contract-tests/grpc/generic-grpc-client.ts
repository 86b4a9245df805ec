import {
  credentials,
  makeGenericClientConstructor,
  status,
  type Client,
  type MethodDefinition,
  type ServiceDefinition,
  type ServiceError,
  type StatusObject,
} from '@grpc/grpc-js';
import { loadProtoPackage } from '../../test-support/proto-files.js';

/** A service found in .proto files, with a client built from them alone (no generated code). */
export interface LoadedService {
  readonly name: string;
  readonly definition: ServiceDefinition;
  connect(address: string): Client;
}

/** Every service declared in `protoFiles` (absolute paths, or relative to `includeDirs`). */
export const loadServices = async (protoFiles: readonly string[], includeDirs: readonly string[] = []): Promise<LoadedService[]> => {
  const pkg = await loadProtoPackage(protoFiles, includeDirs);
  return Object.entries(pkg)
    .filter(([, value]) => !('format' in value)) // message and enum entries carry `format`
    .map(([name, value]) => {
      const definition = value as ServiceDefinition;
      const ClientClass = makeGenericClientConstructor(definition, name);
      return { name, definition, connect: (address) => new ClientClass(address, credentials.createInsecure()) };
    });
};

/** The status a method answers to an empty request (OK when it answers with a message). */
export const callWithEmptyRequest = (
  client: Client,
  method: MethodDefinition<object, unknown>,
  deadline: Date,
): Promise<Pick<StatusObject, 'code' | 'details'>> =>
  new Promise((resolve) => {
    const { path, requestSerialize: serialize, responseDeserialize: deserialize } = method;
    const settle = (error: ServiceError | null) =>
      resolve(error ? { code: error.code, details: error.details } : { code: status.OK, details: '' });
    const onStatus = ({ code, details }: StatusObject) => resolve({ code, details });
    if (!method.requestStream && !method.responseStream) {
      client.makeUnaryRequest(path, serialize, deserialize, {}, { deadline }, settle);
    } else if (!method.responseStream) {
      client.makeClientStreamRequest(path, serialize, deserialize, { deadline }, settle).end();
    } else if (!method.requestStream) {
      const call = client.makeServerStreamRequest(path, serialize, deserialize, {}, { deadline });
      call
        .on('data', () => undefined)
        .on('error', () => undefined)
        .on('status', onStatus);
    } else {
      const call = client.makeBidiStreamRequest(path, serialize, deserialize, { deadline });
      call
        .on('data', () => undefined)
        .on('error', () => undefined)
        .on('status', onStatus);
      call.end();
    }
  });

/** Resolves once the client's channel is connected; rejects past the deadline. */
export const waitForReady = (client: Client, deadline: Date): Promise<void> =>
  new Promise((resolve, reject) => client.waitForReady(deadline, (error) => (error ? reject(error) : resolve())));
