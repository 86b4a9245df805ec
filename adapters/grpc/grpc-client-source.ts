import { credentials, type ChannelOptions, type Client, type ChannelCredentials } from '@grpc/grpc-js';

/**
 * Where a client adapter gets the generated client for one call. Adapters ask for a client per
 * call instead of holding one, so the mesh can choose the instance and connection behind it
 * (pools, balancing, breakers) without the adapters changing.
 */
export interface GrpcClientSource<C> {
  /** The client to make the next call on. */
  client(): C;
  /** Closes every channel this source opened. */
  close(): void;
}

type ClientConstructor<C> = new (address: string, credentials: ChannelCredentials, options?: Partial<ChannelOptions>) => C;

/** One channel to one address: the simplest source, for a single instance of a service (plaintext unless given mesh credentials). */
export const singleChannel = <C extends Client>(
  Constructor: ClientConstructor<C>,
  address: string,
  options: Partial<ChannelOptions> = {},
  channelCredentials: ChannelCredentials = credentials.createInsecure(),
): GrpcClientSource<C> => {
  const client = new Constructor(address, channelCredentials, options);
  return { client: () => client, close: () => client.close() };
};
