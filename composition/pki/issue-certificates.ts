/**
 * Issues the mesh's certificates into a directory, for deployments that supply them (Compose's
 * one-shot job, the Kubernetes Secret script, several hosts): `<dir>/ca/` (the CA, its key kept
 * there) and `<dir>/<service>/` per service, each `cert.pem` + `key.pem` (keys 0600). Run it again
 * and it keeps what is still fit, issuing only missing or expiring certificates (docs/adr/0021).
 *
 *   node dist/composition/pki/issue-certificates.js --dir ./pki [--service auth ...] [--dns name ...] [--ip addr ...]
 *
 * Then each process runs with MESH_TLS_CA=<dir>/ca/cert.pem, MESH_TLS_CERT=<dir>/<service>/cert.pem
 * and MESH_TLS_KEY=<dir>/<service>/key.pem (docs/deploy.md#certificates).
 */
import { chown, readdir } from 'node:fs/promises';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { PkiDirectory } from '../../adapters/pki/pki-directory.js';
import { isServiceName, ServiceNames } from '../service-names.js';

const usage = `Usage: issue-certificates --dir <dir> [--service <name> ...] [--dns <name> ...] [--ip <address> ...] [--owner <uid>:<gid>] [--valid-days <n>]
  --dir          where ca/ and one folder per service are written (created 0700)
  --service      a service to issue for (${ServiceNames.join(', ')}); repeat; default all four
  --dns, --ip    further names every certificate is valid for (the service name always is)
  --owner        give the files to this user (a container's uid:gid, when run as root)
  --valid-days   lifetime of the service certificates (default 365; renewed within 30 days of the end)`;

const fail = (message: string): never => {
  console.error(`${message}\n${usage}`);
  process.exit(2);
};

const { values } = (() => {
  try {
    return parseArgs({
      options: {
        dir: { type: 'string' },
        service: { type: 'string', multiple: true },
        dns: { type: 'string', multiple: true },
        ip: { type: 'string', multiple: true },
        owner: { type: 'string' },
        'valid-days': { type: 'string' },
        help: { type: 'boolean' },
      },
    });
  } catch (error) {
    return fail(error instanceof Error ? error.message : String(error));
  }
})();
if (values.help) {
  console.log(usage);
  process.exit(0);
}
const dir = values.dir ?? fail('--dir is required');
const services = values.service ?? [...ServiceNames];
const unknown = services.filter((service) => !isServiceName(service));
if (unknown.length > 0) fail(`unknown service ${unknown.join(', ')}`);
const badIps = (values.ip ?? []).filter((ip) => isIP(ip) === 0);
if (badIps.length > 0) fail(`not an IP address: ${badIps.join(', ')}`);
const validDays = Number(values['valid-days'] ?? 365);
if (!Number.isInteger(validDays) || validDays < 2 || validDays > 3650) fail('--valid-days must be a whole number from 2 to 3650');
const owner = values.owner === undefined ? undefined : (/^(\d+):(\d+)$/.exec(values.owner) ?? fail('--owner must be <uid>:<gid>'));

const pki = new PkiDirectory({
  dir,
  dnsNames: values.dns ?? [],
  ipAddresses: values.ip ?? [],
  leafValidDays: validDays,
  renewWithinDays: Math.min(30, Math.floor(validDays / 2)),
});
for (const service of services) {
  const identity = await pki.identityOf([service]);
  console.log(`${service}: ${identity.files?.certFile} (CA ${identity.files?.caFile})`);
}
if (owner) {
  const [uid, gid] = [Number(owner[1]), Number(owner[2])];
  await chown(dir, uid, gid);
  for (const entry of await readdir(dir, { recursive: true })) await chown(join(dir, entry), uid, gid);
}
