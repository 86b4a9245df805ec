import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { checkIdentityCertificate, type TlsIdentity } from './tls-identity.js';

export interface IdentityWatch {
  stop(): void;
}

export interface IdentityWatchOptions {
  /** How often the files are looked at (their size, time and inode). */
  readonly intervalMs: number;
  /** The files changed and hold a usable identity: serve it to new connections. */
  readonly onChange: (identity: TlsIdentity) => void;
  /** The files changed but do not hold a usable identity (half written, wrong CA, key not the certificate's): kept the last one. */
  readonly onRefused: (error: Error) => void;
}

/**
 * Watches the files an identity was read from (docs/adr/0035): when they change and together hold
 * a certificate for the same services, signed by their CA, with its own key, the new identity is
 * handed on; a half-replaced or wrong set is refused and looked at again on its next change.
 */
export const watchIdentityFiles = (identity: TlsIdentity, options: IdentityWatchOptions): IdentityWatch => {
  const files = identity.files;
  if (!files) return { stop: () => undefined };
  const paths = [files.caFile, files.certFile, files.keyFile];
  let seen: string | undefined;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  const signature = async () =>
    (
      await Promise.all(
        paths.map((path) =>
          stat(path).then(
            (s) => `${s.ino}:${s.size}:${s.mtimeMs}`,
            () => 'missing',
          ),
        ),
      )
    ).join('|');

  const look = async () => {
    const now = await signature();
    if (seen === undefined || now === seen) {
      seen = now;
      return;
    }
    seen = now;
    try {
      const [caPem, certPem, keyPem] = await Promise.all(paths.map((path) => readFile(path, 'utf8')));
      const certificate = checkIdentityCertificate(identity.services, certPem!, caPem!);
      if (!certificate.checkPrivateKey(createPrivateKey(keyPem!))) throw new Error(`${files.keyFile} is not the key of ${files.certFile}`);
      options.onChange({ ...identity, caPem: caPem!, certPem: certPem!, keyPem: keyPem! });
    } catch (error) {
      options.onRefused(error instanceof Error ? error : new Error(String(error)));
    }
  };
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => void look().finally(schedule), options.intervalMs);
    timer.unref();
  };
  void signature().then((first) => {
    seen ??= first;
    schedule();
  });
  return {
    stop: () => {
      stopped = true;
      clearTimeout(timer);
    },
  };
};

/** The serial number of a PEM certificate (upper-case hex), for logs and tests. */
export const serialOf = (certPem: string): string => new X509Certificate(certPem).serialNumber;
