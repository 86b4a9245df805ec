import { join } from 'node:path';
import type { MeshTlsSettings, SuppliedPair } from '../adapters/pki/mesh-pki.js';
import type { EnvReader } from './env-reader.js';
import { ServiceNames } from './service-names.js';

const envPrefix = { 'api-gateway': 'GATEWAY', auth: 'AUTH', project: 'PROJECT', simulation: 'SIMULATION' } as const;

/**
 * `MESH_TLS` (on by default): mutual TLS on every gRPC port. Certificates come from `MESH_TLS_CA`
 * with `<SERVICE>_TLS_CERT`/`_KEY` (or the shared `MESH_TLS_CERT`/`_KEY`) when a CA is given, else
 * from the development PKI generated under `MESH_TLS_DIR` (default `DATA_DIR/pki`). docs/adr/0021.
 */
export const readMeshTlsSettings = (reader: EnvReader, dataDir: string): MeshTlsSettings => {
  const enabled = reader.oneOf('MESH_TLS', ['on', 'off'], 'on') === 'on';
  const caFile = reader.optionalPath('MESH_TLS_CA');
  const shared = pairOf(reader, 'MESH_TLS');
  const supplied = Object.fromEntries(ServiceNames.map((service) => [service, pairOf(reader, `${envPrefix[service]}_TLS`) ?? shared]));
  const anySupplied = Object.values(supplied).some((pair) => pair !== undefined);
  if (anySupplied && caFile === undefined) reader.problems.push('certificates given by path need the CA that signed them: set MESH_TLS_CA');
  return { enabled, dir: reader.path('MESH_TLS_DIR', join(dataDir, 'pki')), caFile, supplied, shared };
};

/** `<prefix>_CERT` and `<prefix>_KEY`, both or neither. */
const pairOf = (reader: EnvReader, prefix: string): SuppliedPair | undefined => {
  const certFile = reader.optionalPath(`${prefix}_CERT`);
  const keyFile = reader.optionalPath(`${prefix}_KEY`);
  if (certFile !== undefined && keyFile !== undefined) return { certFile, keyFile };
  if (certFile !== undefined || keyFile !== undefined) reader.problems.push(`${prefix}_CERT and ${prefix}_KEY go together: set both or neither`);
  return undefined;
};
