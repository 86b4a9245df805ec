import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PkiDirectory } from './pki-directory.js';
import { checkIdentityCertificate } from './tls-identity.js';

const names = { dnsNames: ['localhost'], ipAddresses: ['127.0.0.1', '::1'] };
const DAY_MS = 24 * 60 * 60 * 1000;

describe('the development PKI on disk', () => {
  const dirs: string[] = [];
  afterEach(async () => {
    await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  });
  const pkiDir = async () => {
    const parent = await mkdtemp(join(tmpdir(), 'meshwork-pki-'));
    dirs.push(parent);
    return join(parent, 'pki');
  };

  it('creates a CA and a leaf per service, keys readable by the owner only, in a folder only the owner enters', async () => {
    const dir = await pkiDir();
    const identity = await new PkiDirectory({ dir, ...names }).identityOf(['auth']);

    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    expect((await stat(join(dir, 'ca', 'key.pem'))).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, 'auth', 'key.pem'))).mode & 0o777).toBe(0o600);
    expect(identity.caPem).toBe(await readFile(join(dir, 'ca', 'cert.pem'), 'utf8'));
    const certificate = checkIdentityCertificate(['auth'], identity.certPem, identity.caPem);
    expect(certificate.subjectAltName).toContain('URI:spiffe://meshwork/auth');
    expect(certificate.subjectAltName).toContain('DNS:auth');
    expect(certificate.subjectAltName).toContain('IP Address:127.0.0.1');
    expect(new X509Certificate(identity.caPem).ca).toBe(true);
  }, 20_000);

  it('reuses the CA and the certificates on the next start', async () => {
    const dir = await pkiDir();
    const first = await new PkiDirectory({ dir, ...names }).identityOf(['project']);
    const again = await new PkiDirectory({ dir, ...names }).identityOf(['project']);
    const other = await new PkiDirectory({ dir, ...names }).identityOf(['simulation']);

    expect(again).toEqual(first);
    expect(other.caPem).toBe(first.caPem);
    expect(other.certPem).not.toBe(first.certPem);
  }, 20_000);

  it('issues a leaf again once it is within the renewal window, under the same CA', async () => {
    const dir = await pkiDir();
    const first = await new PkiDirectory({ dir, ...names, leafValidDays: 40, renewWithinDays: 30 }).identityOf(['auth']);
    const in15Days = await new PkiDirectory({
      dir,
      ...names,
      renewWithinDays: 30,
      now: () => new Date(Date.now() + 15 * DAY_MS),
    }).identityOf(['auth']);
    const in11Days = await new PkiDirectory({
      dir,
      ...names,
      renewWithinDays: 30,
      now: () => new Date(Date.now() + 11 * DAY_MS),
    }).identityOf(['auth']);

    expect(in15Days.certPem).not.toBe(first.certPem);
    expect(in15Days.caPem).toBe(first.caPem);
    expect(in11Days.certPem).toBe(in15Days.certPem);
    expect(await readFile(join(dir, 'auth', 'cert.pem'), 'utf8')).toBe(in15Days.certPem);
  }, 20_000);

  it('issues a leaf again when the CA was replaced (rotation: delete ca/)', async () => {
    const dir = await pkiDir();
    const first = await new PkiDirectory({ dir, ...names }).identityOf(['auth']);
    await rm(join(dir, 'ca'), { recursive: true });
    const rotated = await new PkiDirectory({ dir, ...names }).identityOf(['auth']);

    expect(rotated.caPem).not.toBe(first.caPem);
    expect(() => checkIdentityCertificate(['auth'], rotated.certPem, rotated.caPem)).not.toThrow();
  }, 20_000);

  it('uses certificates placed in the directory with a CA certificate but no CA key, and issues none', async () => {
    const dir = await pkiDir();
    const issued = await new PkiDirectory({ dir, ...names }).identityOf(['auth']);
    await rm(join(dir, 'ca', 'key.pem'));

    expect(await new PkiDirectory({ dir, ...names }).identityOf(['auth'])).toEqual(issued);
    await expect(new PkiDirectory({ dir, ...names }).identityOf(['project'])).rejects.toThrow(
      /holds no certificate fit to use, and .*ca no key to issue one/,
    );
  }, 20_000);

  it('ends up with one CA when several processes start on an empty directory at once', async () => {
    const dir = await pkiDir();
    const identities = await Promise.all(
      ['auth', 'project', 'simulation'].map((service) => new PkiDirectory({ dir, ...names }).identityOf([service])),
    );
    const onDisk = await readFile(join(dir, 'ca', 'cert.pem'), 'utf8');

    for (const identity of identities) expect(() => checkIdentityCertificate(identity.services, identity.certPem, onDisk)).not.toThrow();
  }, 30_000);
});
