import { X509Certificate, randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { issueCertificateAuthority, issueLeafCertificate, type KeyAndCertificate } from './certificate-issuer.js';
import { certificateIdentities, PkiError, type TlsIdentity } from './tls-identity.js';

export interface PkiDirectoryOptions {
  /** Where the CA and the leaves live (`DATA_DIR/pki`): `ca/` and one folder per service, each `cert.pem` + `key.pem`. */
  readonly dir: string;
  /** Names every leaf is valid for besides its service name (`localhost`, the advertised host). */
  readonly dnsNames: readonly string[];
  readonly ipAddresses: readonly string[];
  readonly caValidDays?: number;
  readonly leafValidDays?: number;
  /** A leaf this close to expiry (or issued by another CA, or missing a name) is issued again at start. */
  readonly renewWithinDays?: number;
  readonly now?: () => Date;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The development PKI of the mesh on disk: the CA is made on first use and kept; each service's
 * leaf is made when missing and made again when near expiry. Keys are 0600 in 0700 folders.
 * Folders are written aside and renamed into place, so processes starting together on one
 * directory end up sharing the first CA written.
 */
export class PkiDirectory {
  private authority: Promise<KeyAndCertificate> | undefined;

  constructor(private readonly options: PkiDirectoryOptions) {}

  /**
   * The identity speaking for `services` (folder `<dir>/<a>+<b>`, or `<dir>/<a>` for one), issuing
   * its certificate when there is none fit to use.
   */
  async identityOf(services: readonly string[]): Promise<TlsIdentity> {
    const authority = await (this.authority ??= this.loadOrCreate('ca', () => issueCertificateAuthority(this.options.caValidDays ?? 3650)));
    const folder = services.join('+');
    const existing = await readPair(join(this.options.dir, folder));
    const files = {
      caFile: join(this.options.dir, 'ca', 'cert.pem'),
      certFile: join(this.options.dir, folder, 'cert.pem'),
      keyFile: join(this.options.dir, folder, 'key.pem'),
    };
    if (existing && this.isFit(services, existing, authority)) return { services, caPem: authority.certPem, ...existing, files };
    if (authority.keyPem === '') {
      throw new PkiError(
        `${join(this.options.dir, folder)} holds no certificate fit to use, and ${join(this.options.dir, 'ca')} no key to issue one`,
      );
    }
    const leaf = await issueLeafCertificate(authority, {
      identities: services,
      dnsNames: this.options.dnsNames,
      ipAddresses: this.options.ipAddresses,
      validDays: this.options.leafValidDays ?? 365,
    });
    await this.replace(folder, leaf);
    return { services, caPem: authority.certPem, ...leaf, files };
  }

  private isFit(services: readonly string[], pair: KeyAndCertificate, authority: KeyAndCertificate): boolean {
    const certificate = new X509Certificate(pair.certPem);
    const ca = new X509Certificate(authority.certPem);
    const renewAt = new Date(certificate.validTo).getTime() - (this.options.renewWithinDays ?? 30) * DAY_MS;
    const names = certificate.subjectAltName ?? '';
    return (
      certificateIdentities(certificate).join('+') === services.join('+') &&
      certificate.checkIssued(ca) &&
      certificate.verify(ca.publicKey) &&
      renewAt > this.now().getTime() &&
      this.options.dnsNames.every((name) => names.includes(`DNS:${name}`)) &&
      this.options.ipAddresses.every((ip) => ip.includes(':') || names.includes(`IP Address:${ip}`))
    );
  }

  private async loadOrCreate(name: string, create: () => Promise<KeyAndCertificate>): Promise<KeyAndCertificate> {
    const folder = join(this.options.dir, name);
    const existing = await readPair(folder);
    if (existing) return existing;
    // A CA certificate given without its key: use what is there, issue nothing.
    const certificateOnly = await readFile(join(folder, 'cert.pem'), 'utf8').catch(() => undefined);
    if (certificateOnly !== undefined) return { certPem: certificateOnly, keyPem: '' };
    const made = await create();
    const staged = await this.stage(made);
    try {
      await rename(staged, folder);
      return made;
    } catch (error) {
      // Another process wrote it first: use theirs.
      await rm(staged, { recursive: true, force: true });
      const theirs = await readPair(folder);
      if (theirs) return theirs;
      throw error;
    }
  }

  private async replace(name: string, pair: KeyAndCertificate): Promise<void> {
    const folder = join(this.options.dir, name);
    const staged = await this.stage(pair);
    const retired = `${folder}.old-${randomBytes(4).toString('hex')}`;
    await rename(folder, retired).catch(() => undefined);
    await rename(staged, folder);
    await rm(retired, { recursive: true, force: true });
  }

  private async stage(pair: KeyAndCertificate): Promise<string> {
    await mkdir(this.options.dir, { recursive: true, mode: 0o700 });
    await chmod(this.options.dir, 0o700);
    const staged = join(this.options.dir, `.staging-${randomBytes(6).toString('hex')}`);
    await mkdir(staged, { mode: 0o700 });
    await writeFile(join(staged, 'key.pem'), pair.keyPem, { mode: 0o600 });
    await writeFile(join(staged, 'cert.pem'), pair.certPem, { mode: 0o644 });
    return staged;
  }

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }
}

const readPair = async (folder: string): Promise<KeyAndCertificate | undefined> => {
  try {
    const [certPem, keyPem] = await Promise.all([readFile(join(folder, 'cert.pem'), 'utf8'), readFile(join(folder, 'key.pem'), 'utf8')]);
    return { certPem, keyPem };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
};
