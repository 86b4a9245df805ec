import type { Client } from '@grpc/grpc-js';
import { GlobalConnectionScaler } from '../../../core/pool-scaling/global-connection-scaler.js';
import type { Logger } from '../../observability/logger.js';
import { configuredInstance } from './fallback-instances.js';
import { MeshClient, type MeshClientConstructor } from './mesh-client.js';
import type { MeshSettingsOverrides } from './mesh-options.js';

export interface SingleInstanceOptions {
  /** The target service, for its default deadline and in failures; default the generated client's service name. */
  readonly service?: string;
  readonly settings?: MeshSettingsOverrides;
  readonly logger?: Logger;
}

/**
 * A mesh client over one fixed `host:port` and one connection, with a scaler of its own: the same
 * call path, admission and failure mapping as in a mesh (docs/adr/0026), for a process that knows
 * exactly one instance of its target (tools, test beds).
 */
export const singleInstance = <C extends Client>(
  Client: MeshClientConstructor<C> & { readonly serviceName?: string },
  address: string,
  options: SingleInstanceOptions = {},
): MeshClient<C> => {
  // ts-proto names a service `<package>.<Name>`; our packages are the services' names (`auth`, `project`, ...).
  const service = options.service ?? Client.serviceName?.split('.')[0] ?? address;
  const instances = { current: () => [configuredInstance(service, address, address)], onChange: () => () => undefined };
  return new MeshClient(Client, {
    service,
    instances,
    scaler: new GlobalConnectionScaler(),
    settings: { scaling: { minConnections: 1 }, ...options.settings },
    ...(options.logger && { logger: options.logger }),
  });
};
