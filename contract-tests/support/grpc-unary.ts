import { Metadata, type CallOptions, type ClientUnaryCall, type ServiceError } from '@grpc/grpc-js';

type UnaryMethod<Req, Res> = (
  request: Req,
  metadata: Metadata,
  options: Partial<CallOptions>,
  callback: (error: ServiceError | null, response: Res) => void,
) => ClientUnaryCall;

/** Calls a generated client's unary method and resolves with the response or rejects with the ServiceError. */
export const callUnary = <Req, Res>(method: UnaryMethod<Req, Res>, request: Req, timeoutMs = 10_000): Promise<Res> =>
  new Promise((resolve, reject) => {
    method(request, new Metadata(), { deadline: Date.now() + timeoutMs }, (error, response) => (error ? reject(error) : resolve(response)));
  });

/** As `callUnary`, resolving with the error instead of rejecting, for tests of failures. */
export const callUnaryError = async <Req, Res>(method: UnaryMethod<Req, Res>, request: Req): Promise<ServiceError> => {
  try {
    await callUnary(method, request);
  } catch (error) {
    return error as ServiceError;
  }
  throw new Error('expected the call to fail, but it succeeded');
};
