import type { CallOptions, ClientUnaryCall, Metadata, ServiceError } from '@grpc/grpc-js';

/** The unary signature ts-proto gives every rpc (its last overload, which `infer` matches). */
type UnarySignature<Req, Res> = (
  request: Req,
  metadata: Metadata,
  options: Partial<CallOptions>,
  callback: (error: ServiceError | null, response: Res) => void,
) => ClientUnaryCall;

/** The names of a generated client's unary rpcs (`'validateToken' | 'getUserContext' | ...`). */
export type UnaryMethodName<C> = {
  [K in keyof C]: C[K] extends UnarySignature<infer _Req, infer _Res> ? K : never;
}[keyof C] &
  string;

export type RequestOf<C, K extends keyof C> = C[K] extends UnarySignature<infer Req, infer _Res> ? Req : never;

export type ResponseOf<C, K extends keyof C> = C[K] extends UnarySignature<infer _Req, infer Res> ? Res : never;

export type UnaryInvoker<Req, Res> = UnarySignature<Req, Res>;
