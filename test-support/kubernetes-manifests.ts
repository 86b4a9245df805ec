import { execFile } from 'node:child_process';
import { cp, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Certificate, Issuer } from '@kubernetes-models/cert-manager/cert-manager.io/v1';
import { ConfigMap, Namespace, Secret, Service, ServiceAccount } from 'kubernetes-models/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { parseAllDocuments } from 'yaml';
import { repoRoot } from './podman.js';

const run = promisify(execFile);

/** A rendered Kubernetes object, as plain data. */
export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly labels?: Record<string, string> };
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly spec?: any;
  readonly data?: Record<string, string>;
}

export const HOW_TO_GET_KUBECTL =
  'The Kubernetes manifest tests render the overlays with `kubectl kustomize` (kubectl 1.21 or newer, offline: no cluster needed). ' +
  'Install kubectl (https://kubernetes.io/docs/tasks/tools/, or your distribution’s package) and run the tests again.';

/**
 * A copy of deploy/kubernetes in a temporary directory, with the dev overlay's certificates made
 * there by the issue-certificates CLI (they are not committed), as a user would before applying it.
 */
export const kubernetesWorkspace = async (): Promise<string> => {
  const dir = await mkdtemp(join(tmpdir(), 'meshwork-kube-'));
  await cp(join(repoRoot, 'deploy/kubernetes'), dir, { recursive: true, filter: (source) => !source.includes('/overlays/dev/tls') });
  await run(process.execPath, ['--import', 'tsx', 'composition/pki/issue-certificates.ts', '--dir', join(dir, 'overlays/dev/tls')], {
    cwd: repoRoot,
    timeout: 60_000,
  });
  return dir;
};

/** `kubectl kustomize <dir>` parsed into objects; throws how to get kubectl when it is missing. */
export const renderKustomization = async (dir: string): Promise<KubeObject[]> => {
  await run('kubectl', ['version', '--client']).catch(() => {
    throw new Error(HOW_TO_GET_KUBECTL);
  });
  const { stdout } = await run('kubectl', ['kustomize', dir], { timeout: 60_000, maxBuffer: 16 * 1024 * 1024 });
  return parseAllDocuments(stdout).map((document) => document.toJS() as KubeObject);
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const Models: Readonly<Record<string, new (data: any) => { validate(): void }>> = {
  'v1/Namespace': Namespace,
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'v1/ServiceAccount': ServiceAccount,
  'apps/v1/Deployment': Deployment,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
  'cert-manager.io/v1/Certificate': Certificate,
  'cert-manager.io/v1/Issuer': Issuer,
};

/**
 * Validates an object against the schema of its kind (the Kubernetes OpenAPI schemas shipped by
 * kubernetes-models, and cert-manager's CRDs by @kubernetes-models/cert-manager): offline, no
 * cluster. Returns the problems, empty when valid; a kind without a schema here is a problem.
 */
export const schemaProblems = (object: KubeObject): string[] => {
  const Model = Models[`${object.apiVersion}/${object.kind}`];
  const where = `${object.kind}/${object.metadata?.name}`;
  if (!Model) return [`${where}: no schema for ${object.apiVersion} ${object.kind}`];
  // kustomize folds long base64 over lines; Kubernetes' decoder skips line breaks, the schema's "byte" format does not.
  const data =
    object.kind === 'Secret' && object.data
      ? Object.fromEntries(Object.entries(object.data).map(([k, v]) => [k, v.replace(/\s/g, '')]))
      : object.data;
  try {
    new Model({ ...object, ...(data && { data }) }).validate();
    return [];
  } catch (error) {
    return [`${where}: ${error instanceof Error ? error.message : String(error)}`];
  }
};
