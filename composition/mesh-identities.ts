import { isIP } from 'node:net';
import { openMeshPki } from '../adapters/pki/mesh-pki.js';
import type { TlsIdentity } from '../adapters/pki/tls-identity.js';
import type { MeshConfig } from './config.js';
import type { ServiceName } from './service-names.js';

/**
 * The mTLS identities of a process (docs/adr/0021): each local service's server presents its own
 * certificate; the process's calls present one naming every local service (the service's own
 * when it runs one), as its instances share their connection pools (docs/adr/0017).
 * Undefined when `MESH_TLS=off`.
 */
export type MeshIdentities =
  | {
      readonly servers: ReadonlyMap<ServiceName, TlsIdentity>;
      readonly client: TlsIdentity;
    }
  | undefined;

/** Loads (or, with the development PKI, issues) the certificates before any server starts, so a bad one stops the start at once. */
export const loadMeshIdentities = async (config: MeshConfig, services: readonly ServiceName[]): Promise<MeshIdentities> => {
  if (!config.tls.enabled || services.length === 0) return undefined;
  const hosts = [...new Set(['localhost', '127.0.0.1', '::1', config.advertiseHost, config.bindHost])].filter(
    (host) => host !== '0.0.0.0' && host !== '::',
  );
  const pki = openMeshPki(config.tls, {
    dnsNames: hosts.filter((host) => isIP(host) === 0),
    ipAddresses: hosts.filter((host) => isIP(host) !== 0),
  });
  const servers = new Map<ServiceName, TlsIdentity>();
  for (const service of services) servers.set(service, await pki.identityOf([service]));
  const client = services.length === 1 ? servers.get(services[0]!)! : await pki.identityOf(services);
  return { servers, client };
};
