import {
  credentials,
  makeGenericClientConstructor,
  type ChannelCredentials,
  type Client,
  type ServiceDefinition,
  type ServiceError,
} from '@grpc/grpc-js';
import { service } from 'grpc-health-check';

const healthService = service as ServiceDefinition;
const HealthClient = makeGenericClientConstructor(healthService, 'grpc.health.v1.Health');
const connect = (address: string, channelCredentials = credentials.createInsecure()): Client =>
  new HealthClient(address, channelCredentials);

/**
 * Asks `grpc.health.v1.Health/Check` at `address` for `serviceName` ('' is the whole server):
 * resolves with the status name ('SERVING', 'NOT_SERVING', ...), rejects with the gRPC error.
 * Plaintext unless given credentials (a mesh under mTLS).
 */
export const checkHealth = (
  address: string,
  serviceName = '',
  timeoutMs = 15_000,
  channelCredentials?: ChannelCredentials,
): Promise<string> => {
  const client = connect(address, channelCredentials);
  const { path, requestSerialize, responseDeserialize } = healthService.Check!;
  return new Promise<string>((resolve, reject) => {
    const deadline = new Date(Date.now() + timeoutMs);
    client.makeUnaryRequest(
      path,
      requestSerialize,
      responseDeserialize,
      { service: serviceName },
      { deadline },
      (error: ServiceError | null, response?: unknown) =>
        error ? reject(error) : resolve(String((response as { status: unknown }).status)),
    );
  }).finally(() => client.close());
};

/** A `Health/Watch` stream: every status the server pushed so far, and when the stream ended. */
export interface HealthWatch {
  readonly statuses: readonly string[];
  readonly ended: Promise<void>;
}

export const watchHealth = (address: string, serviceName = ''): HealthWatch => {
  const client = connect(address);
  const { path, requestSerialize, responseDeserialize } = healthService.Watch!;
  const statuses: string[] = [];
  const call = client.makeServerStreamRequest(path, requestSerialize, responseDeserialize, { service: serviceName });
  call.on('data', (response: { status: unknown }) => statuses.push(String(response.status)));
  const ended = new Promise<void>((resolve) => {
    call.on('error', () => undefined);
    call.on('status', () => resolve());
  }).finally(() => client.close());
  return { statuses, ended };
};
