import { readFile } from 'node:fs/promises';
import { PkiDirectory } from './pki-directory.js';
import { checkIdentityCertificate, PkiError, type TlsIdentity } from './tls-identity.js';

/** A certificate and key supplied by path. */
export interface SuppliedPair {
  readonly certFile: string;
  readonly keyFile: string;
}

/** Mutual TLS of the mesh's gRPC ports (`MESH_TLS*`; docs/adr/0021). */
export interface MeshTlsSettings {
  readonly enabled: boolean;
  /** The generated development PKI: `<dir>/ca/` and `<dir>/<service>/` (default `DATA_DIR/pki`). */
  readonly dir: string;
  /** A CA supplied by path (`MESH_TLS_CA`): then every certificate is supplied, none generated. */
  readonly caFile: string | undefined;
  /** Supplied certificates: per service (`<SERVICE>_TLS_CERT`/`_KEY`), else the shared `MESH_TLS_CERT`/`_KEY`. */
  readonly supplied: Readonly<Record<string, SuppliedPair | undefined>>;
  /** `MESH_TLS_CERT`/`_KEY`: also the client certificate of a process running several services. */
  readonly shared: SuppliedPair | undefined;
  /** `MESH_TLS_RELOAD_SECONDS` (default 5; 0: never): how often servers look for replaced certificate files (docs/adr/0035). */
  readonly reloadIntervalMs?: number;
}

export interface MeshPki {
  /**
   * The identity speaking for `services` (one: a service's server; several: the client of a
   * process running them) and the CA it trusts; rejects with a PkiError when none can be had.
   */
  identityOf(services: readonly string[]): Promise<TlsIdentity>;
}

export interface LeafNames {
  readonly dnsNames: readonly string[];
  readonly ipAddresses: readonly string[];
}

/** Supplied certificates when a CA is given by path, else the development PKI under `settings.dir`. */
export const openMeshPki = (settings: MeshTlsSettings, names: LeafNames): MeshPki => {
  const { caFile } = settings;
  if (caFile === undefined) return new PkiDirectory({ dir: settings.dir, ...names });
  return {
    identityOf: async (services) => {
      // Several services in one process share a client certificate: the shared MESH_TLS_CERT must name them all.
      const pair = services.length === 1 ? settings.supplied[services[0]!] : settings.shared;
      if (!pair) {
        throw new PkiError(
          services.length === 1
            ? `MESH_TLS_CA is set but no certificate is given for ${services[0]}: set its _TLS_CERT and _TLS_KEY, or MESH_TLS_CERT and MESH_TLS_KEY`
            : `one process runs ${services.join(', ')} under supplied certificates: set MESH_TLS_CERT and MESH_TLS_KEY to a certificate naming them all`,
        );
      }
      const [caPem, certPem, keyPem] = await readPems([caFile, pair.certFile, pair.keyFile]);
      checkIdentityCertificate(services, certPem, caPem);
      return { services, caPem, certPem, keyPem, files: { caFile, certFile: pair.certFile, keyFile: pair.keyFile } };
    },
  };
};

/** Reads every file at once; when any cannot be read, one error names each that could not, in the order given. */
const readPems = async <const Paths extends readonly string[]>(paths: Paths): Promise<{ -readonly [K in keyof Paths]: string }> => {
  const read = await Promise.allSettled(paths.map((path) => readFile(path, 'utf8')));
  const failures = read.flatMap((result, index) =>
    result.status === 'rejected'
      ? [`cannot read ${paths[index]}: ${(result.reason as NodeJS.ErrnoException).code ?? String(result.reason)}`]
      : [],
  );
  if (failures.length > 0) throw new PkiError(failures.join('; '));
  return read.map((result) => (result as PromiseFulfilledResult<string>).value) as { -readonly [K in keyof Paths]: string };
};
