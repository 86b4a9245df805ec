import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, ServiceNames } from '../../composition/config.js';
import { configMapPath, kubernetesConfigMap, PerPodSettings, SecretSettings } from '../../scripts/kubernetes-config.js';
import { kubernetesWorkspace, renderKustomization, schemaProblems, type KubeObject } from '../../test-support/kubernetes-manifests.js';
import { repoRoot } from '../../test-support/podman.js';

const run = promisify(execFile);

/** How long a process may take to stop (composition/main.ts): the pods' grace must be longer. */
const DRAIN_LIMIT_SECONDS = 15;
const HEALTH_PORT = 8090;
const GatewayClientPort = 8001;

/**
 * deploy/kubernetes rendered offline by `kubectl kustomize`, every object checked against the
 * Kubernetes schemas, and the rules of docs/deploy.md#kubernetes checked on what is rendered.
 */
describe('the Kubernetes manifests', () => {
  let workspace: string;
  const rendered = new Map<string, KubeObject[]>();
  const of = (overlay: string, kind: string) => rendered.get(overlay)!.filter((object) => object.kind === kind);
  const meshDeployments = (overlay: string) => of(overlay, 'Deployment').filter((d) => ServiceNames.includes(d.metadata.name as never));

  beforeAll(async () => {
    workspace = await kubernetesWorkspace();
    for (const overlay of ['dev', 'production']) rendered.set(overlay, await renderKustomization(`${workspace}/overlays/${overlay}`));
  }, 120_000);

  afterAll(async () => {
    if (workspace) await rm(workspace, { recursive: true, force: true });
  });

  it('has the ConfigMap the catalogue generates (npm run docs:config), and every value of it passes the configuration', async () => {
    const { yaml, data } = kubernetesConfigMap();
    expect(await readFile(configMapPath, 'utf8')).toBe(yaml);
    for (const service of ServiceNames) {
      const pod = { ...data, MESH_SERVICES: service, MESH_ADVERTISE_HOST: '10.1.2.3', MESH_TLS_CERT: '/x.crt', MESH_TLS_KEY: '/x.key' };
      expect(loadConfig(pod).services).toEqual([service]);
    }
    expect(Object.keys(data).filter((key) => SecretSettings.includes(key) || PerPodSettings.includes(key))).toEqual([]);
  });

  it.each(['dev', 'production'])('renders the %s overlay into objects that each validate against their schema', (overlay) => {
    const objects = rendered.get(overlay)!;
    expect(objects.length).toBeGreaterThan(25);
    expect(objects.flatMap(schemaProblems)).toEqual([]);
    expect(new Set(objects.map((object) => object.metadata.namespace ?? (object.kind === 'Namespace' ? 'cluster' : 'none')))).not.toContain(
      'none',
    );
  });

  it.each(['dev', 'production'])(
    'runs each %s service non-root on a read-only root, probed over grpc.health.v1, with limits',
    (overlay) => {
      expect(
        meshDeployments(overlay)
          .map((d) => d.metadata.name)
          .sort(),
      ).toEqual([...ServiceNames].sort());
      for (const deployment of meshDeployments(overlay)) {
        const pod = deployment.spec.template.spec;
        const [container] = pod.containers;
        expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
        expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
        expect(container.readinessProbe.grpc).toEqual({ port: HEALTH_PORT });
        expect(container.livenessProbe.grpc).toEqual({ port: HEALTH_PORT });
        expect(container.resources.requests).toEqual({ cpu: expect.any(String), memory: expect.any(String) });
        expect(container.resources.limits.memory).toEqual(expect.any(String));
        expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(DRAIN_LIMIT_SECONDS + 5);
        expect(container.env).toContainEqual({ name: 'MESH_SERVICES', value: deployment.metadata.name });
        expect(container.env).toContainEqual({ name: 'MESH_ADVERTISE_HOST', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } });
        expect(pod.volumes).toContainEqual({
          name: 'tls',
          secret: expect.objectContaining({ secretName: expect.stringMatching(`^meshwork-tls-${deployment.metadata.name}`) }),
        });
      }
    },
  );

  it.each(['dev', 'production'])(
    'gives each %s service its Services, a disruption budget, and the gateway and simulation autoscalers',
    (overlay) => {
      for (const service of ServiceNames) {
        const ports = of(overlay, 'Service')
          .find((s) => s.metadata.name === service)!
          .spec.ports.map((p: { name: string }) => p.name);
        expect(ports).toEqual(['grpc', 'http']);
        expect(of(overlay, 'PodDisruptionBudget').map((pdb) => pdb.metadata.name)).toContain(service);
      }
      expect(
        of(overlay, 'HorizontalPodAutoscaler')
          .map((hpa) => hpa.spec.scaleTargetRef.name)
          .sort(),
      ).toEqual(['api-gateway', 'simulation']);
    },
  );

  it.each(['dev', 'production'])(
    'lets in from outside only the gateway client port in %s; Redis and PostgreSQL only from the mesh',
    (overlay) => {
      const policies = of(overlay, 'NetworkPolicy').filter((policy) => policy.spec.policyTypes.includes('Ingress'));
      expect(policies.some((policy) => Object.keys(policy.spec.podSelector).length === 0 && policy.spec.ingress === undefined)).toBe(true);
      const openToAll = policies.flatMap((policy) =>
        (policy.spec.ingress ?? [])
          .filter((rule: { from?: unknown[] }) => rule.from === undefined)
          .map((rule: { ports: { port: number }[] }) => ({
            pods: policy.spec.podSelector.matchLabels,
            ports: rule.ports.map((p) => p.port),
          })),
      );
      expect(openToAll).toEqual([{ pods: { 'app.kubernetes.io/name': 'api-gateway' }, ports: [GatewayClientPort] }]);
      for (const store of ['redis', 'postgres'].filter((name) => of(overlay, 'Deployment').some((d) => d.metadata.name === name))) {
        const guarding = policies.filter((policy) => policy.spec.podSelector.matchLabels?.['app.kubernetes.io/name'] === store);
        expect(guarding.flatMap((policy) => policy.spec.ingress.flatMap((rule: { from: unknown[] }) => rule.from))).toEqual([
          { podSelector: { matchLabels: { 'app.kubernetes.io/part-of': 'meshwork' } } },
        ]);
      }
    },
  );

  it('makes the TLS Secrets by script (scripts/kubernetes-tls-secrets.sh), valid, each naming its service', async () => {
    const { stdout } = await run('bash', ['scripts/kubernetes-tls-secrets.sh', `${workspace}/script-tls`, 'meshwork'], {
      cwd: repoRoot,
      timeout: 60_000,
    });
    const secrets = parseAllDocuments(stdout)
      .map((document) => document.toJS() as KubeObject)
      .filter(Boolean);
    expect(secrets.flatMap(schemaProblems)).toEqual([]);
    expect(secrets.map((secret) => [secret.metadata.name, secret.metadata.namespace, Object.keys(secret.data!).sort()])).toEqual(
      ServiceNames.map((service) => [`meshwork-tls-${service}`, 'meshwork', ['ca.crt', 'tls.crt', 'tls.key']]),
    );
    for (const [index, service] of ServiceNames.entries()) {
      const certificate = new X509Certificate(Buffer.from(secrets[index]!.data!['tls.crt']!, 'base64'));
      expect(certificate.subjectAltName).toContain(`URI:spiffe://meshwork/${service}`);
      expect(certificate.checkIssued(new X509Certificate(Buffer.from(secrets[index]!.data!['ca.crt']!, 'base64')))).toBe(true);
    }
  }, 60_000);

  it('issues the production certificates with cert-manager, one per service named by its SPIFFE identity', () => {
    const certificates = of('production', 'Certificate').filter((certificate) => !certificate.spec.isCA);
    expect(certificates.map((certificate) => [certificate.spec.secretName, certificate.spec.uris])).toEqual(
      ServiceNames.map((service) => [`meshwork-tls-${service}`, [`spiffe://meshwork/${service}`]]),
    );
    expect(of('dev', 'Secret').filter((secret) => secret.metadata.name.startsWith('meshwork-tls-'))).toHaveLength(4);
  });
});
