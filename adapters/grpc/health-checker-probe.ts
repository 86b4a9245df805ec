import {
  credentials,
  makeGenericClientConstructor,
  status as GrpcStatus,
  type ChannelCredentials,
  type ChannelOptions,
  type Client,
  type ClientReadableStream,
  type ServiceDefinition,
  type ServiceError,
} from '@grpc/grpc-js';
import { service } from 'grpc-health-check';

const healthService = service as ServiceDefinition;
const HealthClient = makeGenericClientConstructor(healthService, 'grpc.health.v1.Health');

interface HealthResponse {
  readonly status: unknown;
}

/**
 * `SERVING`, `NOT_SERVING`, `SERVICE_UNKNOWN`, `UNKNOWN`, or the gRPC error a check failed with.
 * `timedOut`: no answer within the deadline, which a slow checking host can cause as well.
 */
export type ProbeOutcome = { readonly serving: true } | { readonly serving: false; readonly reason: string; readonly timedOut?: boolean };

export interface WatchHandlers {
  /** Each status the server pushes: at once on opening, then on every change. */
  onStatus(outcome: ProbeOutcome): void;
  /** The stream ended without `cancel()` (server gone, connection lost, Watch unimplemented). */
  onBroken(reason: string, unimplemented: boolean): void;
}

/** `grpc.health.v1.Health` of one instance over one channel: `Check` calls and a `Watch` stream. */
export class HealthProbe {
  private readonly client: Client;

  constructor(
    address: string,
    private readonly healthServiceName: string,
    channelOptions: Partial<ChannelOptions> = {},
    channelCredentials: ChannelCredentials = credentials.createInsecure(),
  ) {
    this.client = new HealthClient(address, channelCredentials, channelOptions);
  }

  /** One Check with a deadline; never rejects. Fails fast (UNAVAILABLE) while the instance is unreachable. */
  check(timeoutMs: number): Promise<ProbeOutcome> {
    const { path, requestSerialize, responseDeserialize } = healthService.Check!;
    return new Promise((resolve) => {
      this.client.makeUnaryRequest(
        path,
        requestSerialize,
        responseDeserialize,
        { service: this.healthServiceName },
        { deadline: new Date(Date.now() + timeoutMs) },
        (error: ServiceError | null, response?: unknown) =>
          resolve(
            error
              ? { serving: false, reason: describeError(error), ...(error.code === GrpcStatus.DEADLINE_EXCEEDED && { timedOut: true }) }
              : outcomeOf(response as HealthResponse),
          ),
      );
    });
  }

  /** Opens a Watch stream; returns its cancel function (after which no handler is called). */
  watch(handlers: WatchHandlers): () => void {
    const { path, requestSerialize, responseDeserialize } = healthService.Watch!;
    const call: ClientReadableStream<HealthResponse> = this.client.makeServerStreamRequest(path, requestSerialize, responseDeserialize, {
      service: this.healthServiceName,
    });
    let active = true;
    call.on('data', (response: HealthResponse) => active && handlers.onStatus(outcomeOf(response)));
    call.on('error', (error: ServiceError) => {
      if (!active) return;
      active = false;
      handlers.onBroken(describeError(error), error.code === GrpcStatus.UNIMPLEMENTED);
    });
    call.on('status', () => {
      // A server that ends the stream cleanly has stopped watching too.
      if (!active) return;
      active = false;
      handlers.onBroken('the Watch stream ended', false);
    });
    return () => {
      if (!active) return;
      active = false;
      call.cancel();
    };
  }

  close(): void {
    this.client.close();
  }
}

const outcomeOf = (response: HealthResponse): ProbeOutcome => {
  const status = String(response.status);
  return status === 'SERVING' ? { serving: true } : { serving: false, reason: status };
};

const describeError = (error: ServiceError): string => `${GrpcStatus[error.code] ?? error.code}: ${error.details || error.message}`;
