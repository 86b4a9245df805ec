import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { KubeObject } from './kubernetes-manifests.js';
import { deployImages, run } from './podman.js';

/**
 * The dev overlay as `podman kube play` (Podman 4.3) can run it. What Podman does not do as
 * Kubernetes does, and what is changed here for it (docs/deploy.md#what-podman-kube-play-does-not-cover):
 * - no Services, so no service DNS: pods are reached by pod name (`<deployment>-pod-0`), so the
 *   Redis and PostgreSQL hosts in the Secret become pod names, and `status.podIP` (unsupported)
 *   becomes `metadata.name` for MESH_ADVERTISE_HOST;
 * - Secret objects are not read from the file: each becomes a podman secret (volumes want the
 *   Secret's YAML with plain values; `envFrom` wants JSON of base64 values), and a secret volume
 *   needs `optional` set (unset, Podman 4.3 dereferences nil);
 * - a containerPort is published on 0.0.0.0 of the host (replicas collide, Redis and PostgreSQL
 *   meet the machine's own): ports are dropped, except the gateway's client port on 127.0.0.1;
 * - readiness probes are ignored, NetworkPolicies, PDBs, HPAs, ServiceAccounts and the
 *   Namespace are not objects Podman knows: left out;
 * - the images of Redis and PostgreSQL are the locally built ones.
 */
export interface KubePlay {
  /** The gateway's client port on 127.0.0.1. */
  readonly gatewayUrl: string;
  /** Container names by Deployment name. */
  readonly containers: Readonly<Record<string, string>>;
  down(): Promise<void>;
}

export const playDevOverlay = async (objects: readonly KubeObject[], prefix: string, gatewayPort: number): Promise<KubePlay> => {
  const dir = await mkdtemp(join(tmpdir(), 'meshwork-kube-play-'));
  const network = `${prefix}-net`;
  const podOf = (deployment: string) => `${prefix}-${deployment}-pod-0`;
  const secretNames = new Map<string, string>();
  const playable: unknown[] = [];

  for (const object of objects) {
    if (object.kind !== 'Secret') continue;
    const name = `${prefix}-${object.metadata.name}`;
    secretNames.set(object.metadata.name, name);
    const decoded = Object.fromEntries(
      Object.entries(object.data ?? {}).map(([key, value]) => [key, Buffer.from(value.replace(/\s/g, ''), 'base64').toString()]),
    );
    if (decoded.REDIS_URL)
      decoded.REDIS_URL = decoded.REDIS_URL.replace('@redis:', `@${podOf('redis')}:`).replace('//redis:', `//${podOf('redis')}:`);
    if (decoded.DATABASE_URL) decoded.DATABASE_URL = decoded.DATABASE_URL.replace('@postgres:', `@${podOf('postgres')}:`);
    const usedAsVolume = object.metadata.name.startsWith('meshwork-tls-');
    const content = usedAsVolume
      ? stringify({ ...object, metadata: { name }, data: decoded })
      : JSON.stringify(Object.fromEntries(Object.entries(decoded).map(([key, value]) => [key, Buffer.from(value).toString('base64')])));
    const file = join(dir, `${name}.secret`);
    await writeFile(file, content);
    await run('podman', ['secret', 'rm', name]).catch(() => undefined);
    await run('podman', ['secret', 'create', name, file]);
  }
  const secretName = (name: string) => secretNames.get(name) ?? name;

  for (const object of objects) {
    if (object.kind === 'ConfigMap') playable.push({ ...object, metadata: { name: object.metadata.name } });
    if (object.kind !== 'Deployment') continue;
    const deployment = structuredClone(object) as KubeObject & { spec: any }; // eslint-disable-line @typescript-eslint/no-explicit-any
    const pod = deployment.spec.template.spec;
    for (const volume of pod.volumes ?? []) {
      if (volume.secret) volume.secret = { ...volume.secret, secretName: secretName(volume.secret.secretName), optional: false };
    }
    for (const container of pod.containers) {
      container.image = container.image
        .replace('docker.io/library/redis:7', deployImages.redis)
        .replace('docker.io/library/postgres:16', deployImages.postgres);
      for (const source of container.envFrom ?? []) if (source.secretRef) source.secretRef.name = secretName(source.secretRef.name);
      for (const variable of container.env ?? []) {
        if (variable.valueFrom?.fieldRef?.fieldPath === 'status.podIP') variable.valueFrom.fieldRef.fieldPath = 'metadata.name';
        if (variable.valueFrom?.secretKeyRef) variable.valueFrom.secretKeyRef.name = secretName(variable.valueFrom.secretKeyRef.name);
      }
      container.ports =
        object.metadata.name === 'api-gateway' ? [{ containerPort: 8001, hostPort: gatewayPort, hostIP: '127.0.0.1' }] : undefined;
    }
    playable.push({ ...deployment, metadata: { name: `${prefix}-${object.metadata.name}` } });
  }

  const file = join(dir, 'dev-overlay.yaml');
  await writeFile(file, playable.map((document) => stringify(document)).join('---\n'));
  await run('podman', ['network', 'create', network]).catch(() => undefined);
  const down = async () => {
    await run('podman', ['kube', 'down', file], { timeoutMs: 120_000 }).catch(() => undefined);
    for (const name of secretNames.values()) await run('podman', ['secret', 'rm', name]).catch(() => undefined);
    // Podman 4.3 makes a named volume for each secret volume, which `kube down` leaves.
    const volumes = (await run('podman', ['volume', 'ls', '--format', '{{.Name}}']).catch(() => '')).split('\n');
    for (const volume of volumes.filter((name) => secretNames.size > 0 && [...secretNames.values()].includes(name)))
      await run('podman', ['volume', 'rm', '-f', volume]).catch(() => undefined);
    await run('podman', ['network', 'rm', '-f', network]).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await run('podman', ['kube', 'play', '--network', network, file], { timeoutMs: 300_000 });
  } catch (error) {
    await down();
    throw error;
  }
  const deployments = objects.filter((object) => object.kind === 'Deployment').map((object) => object.metadata.name);
  return {
    gatewayUrl: `http://127.0.0.1:${gatewayPort}`,
    containers: Object.fromEntries(deployments.map((name) => [name, `${podOf(name)}-${name}`])),
    down,
  };
};
