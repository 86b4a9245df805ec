import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueCertificateAuthority, issueLeafCertificate, type KeyAndCertificate } from './certificate-issuer.js';
import { openMeshPki, type MeshTlsSettings } from './mesh-pki.js';

const leafOf = (ca: KeyAndCertificate, ...identities: string[]) =>
  issueLeafCertificate(ca, { identities, dnsNames: [], ipAddresses: [], validDays: 30 });

describe('certificates supplied by path', () => {
  let dir: string;
  const file = async (name: string, content: string) => {
    const path = join(dir, name);
    await writeFile(path, content, { mode: 0o600 });
    return path;
  };
  let settings: MeshTlsSettings;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'meshwork-supplied-'));
    const ca = await issueCertificateAuthority(365);
    const otherCa = await issueCertificateAuthority(365);
    const [auth, wronglyNamed, foreign, both] = await Promise.all([
      leafOf(ca, 'auth'),
      leafOf(ca, 'project'),
      leafOf(otherCa, 'simulation'),
      leafOf(ca, 'auth', 'project'),
    ]);
    settings = {
      enabled: true,
      dir: join(dir, 'unused'),
      caFile: await file('ca.pem', ca.certPem),
      supplied: {
        auth: { certFile: await file('auth.pem', auth.certPem), keyFile: await file('auth-key.pem', auth.keyPem) },
        'api-gateway': {
          certFile: await file('project.pem', wronglyNamed.certPem),
          keyFile: await file('project-key.pem', wronglyNamed.keyPem),
        },
        simulation: { certFile: await file('foreign.pem', foreign.certPem), keyFile: await file('foreign-key.pem', foreign.keyPem) },
        project: { certFile: join(dir, 'missing.pem'), keyFile: join(dir, 'missing-key.pem') },
      },
      shared: { certFile: await file('both.pem', both.certPem), keyFile: await file('both-key.pem', both.keyPem) },
    };
  }, 30_000);
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('serves the supplied certificate of a service and generates nothing', async () => {
    const identity = await openMeshPki(settings, { dnsNames: [], ipAddresses: [] }).identityOf(['auth']);
    expect(identity.services).toEqual(['auth']);
    expect(identity.keyPem).toContain('PRIVATE KEY');
  });

  it('refuses a certificate naming another service, one from another CA, and a missing file, saying which', async () => {
    const pki = openMeshPki(settings, { dnsNames: [], ipAddresses: [] });
    await expect(pki.identityOf(['api-gateway'])).rejects.toThrow(/speaks for 'project': it must name api-gateway/);
    await expect(pki.identityOf(['simulation'])).rejects.toThrow(/not signed by the mesh CA/);
    // Both files are missing: the one error names both, certificate first, whichever read fails first.
    await expect(pki.identityOf(['project'])).rejects.toThrow(/cannot read .*missing\.pem: ENOENT; cannot read .*missing-key\.pem: ENOENT/);
  });

  it('gives a process running several services the shared certificate when it names them all', async () => {
    const pki = openMeshPki(settings, { dnsNames: [], ipAddresses: [] });
    expect((await pki.identityOf(['auth', 'project'])).services).toEqual(['auth', 'project']);
    await expect(pki.identityOf(['auth', 'simulation'])).rejects.toThrow(/must name simulation/);
  });

  it('accepts a CA file holding the old and the new CA (a rotation in progress)', async () => {
    const otherCa = await issueCertificateAuthority(1);
    const bundle = join(dir, 'bundle.pem');
    await writeFile(bundle, otherCa.certPem + (await readFile(settings.caFile!, 'utf8')));
    const identity = await openMeshPki({ ...settings, caFile: bundle }, { dnsNames: [], ipAddresses: [] }).identityOf(['auth']);
    expect(identity.caPem).toContain(otherCa.certPem.trim());
  }, 20_000);

  it('refuses a service given no certificate once a CA is supplied', async () => {
    const pki = openMeshPki({ ...settings, supplied: {} }, { dnsNames: [], ipAddresses: [] });
    await expect(pki.identityOf(['auth'])).rejects.toThrow(/no certificate is given for auth/);
  });
});
