/**
 * Writes deploy/kubernetes/base/config.yaml, the ConfigMap `meshwork-config`, from the settings
 * catalogue (`npm run docs:config` writes it with docs/configuration.md; a test fails when it is stale). Every setting a
 * ConfigMap can carry is there with its value, its description above it: the catalogue's default,
 * or the value a pod in Kubernetes needs (`KubernetesValues`). Secrets go to the Secret
 * `meshwork-secrets` instead; what differs per pod is set by each Deployment.
 */
import { isDeepStrictEqual } from 'node:util';
import { writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Catalogue } from '../composition/settings/catalogue.js';
import { settingSections } from '../composition/settings/settings-docs.js';
import type { Setting } from '../composition/settings/setting.js';

/** Values a pod needs that differ from the defaults of `npm start` on a laptop. */
export const KubernetesValues: Readonly<Record<string, string>> = {
  LOG_FORMAT: 'json',
  MESH_BIND_HOST: '0.0.0.0',
  MESH_CLIENT_ENTRY: 'gateway',
  MESH_HEALTH_PORT: '8090',
  MESH_TLS_CA: '/etc/meshwork/tls/ca.crt',
  DATA_DIR: '/var/lib/meshwork',
  // Calls from the kubelet's network to the gateway are many clients behind few addresses.
  HTTP_MAX_CONNECTIONS_PER_ADDRESS: '0',
};

/** Set per pod by the Deployments (deploy/kubernetes/base/<service>.yaml). */
export const PerPodSettings: readonly string[] = [
  'MESH_SERVICES',
  'MESH_ADVERTISE_HOST',
  'GATEWAY_INSTANCE_ID',
  'MESH_TLS_CERT',
  'MESH_TLS_KEY',
];

/** Settings that hold credentials (URLs with passwords among them): the Secret `meshwork-secrets`. */
export const SecretSettings: readonly string[] = [
  'REDIS_URL',
  'REDIS_PASSWORD',
  'DATABASE_URL',
  'AUTH_DATABASE_URL',
  'PROJECT_DATABASE_URL',
  'SIMULATION_DATABASE_URL',
  'MESH_FORWARDING_KEY',
  'AUTH_KEY_ENCRYPTION_KEYS',
  'METRICS_TOKEN',
];

/** The default as the variable would spell it, when its text reads back to the default (`5 s` -> `5`); else undefined. */
const defaultSpelling = (setting: Setting<unknown>): string | undefined => {
  const candidate = setting.defaultText.split(' ')[0]!;
  if (setting.fallback === undefined || candidate === '' || candidate === 'unset' || candidate === 'empty') return undefined;
  const parsed = setting.parse(candidate);
  return 'value' in parsed && isDeepStrictEqual(parsed.value, setting.fallback) ? candidate : undefined;
};

const quote = (value: string): string => `'${value.replaceAll("'", "''")}'`;

/** The ConfigMap's YAML and the data it holds. */
export const kubernetesConfigMap = (): { readonly yaml: string; readonly data: Readonly<Record<string, string>> } => {
  const data: Record<string, string> = {};
  const lines: string[] = [];
  for (const { title, settings } of settingSections(Catalogue)) {
    const kept = settings.filter(
      (setting) => !setting.secret && !SecretSettings.includes(setting.env) && !PerPodSettings.includes(setting.env),
    );
    const entries = kept.flatMap((setting) => {
      const value = KubernetesValues[setting.env] ?? defaultSpelling(setting);
      return value === undefined ? [] : [{ setting, value }];
    });
    if (entries.length === 0) continue;
    lines.push(`  # --- ${title} ---`);
    for (const { setting, value } of entries) {
      data[setting.env] = value;
      lines.push(`  # ${setting.description.replaceAll('\n', ' ')}`, `  ${setting.env}: ${quote(value)}`);
    }
  }
  const yaml = [
    '# Generated from composition/settings/catalogue.ts by `npm run docs:config`: do not edit; overlays patch it.',
    '# Every setting a ConfigMap can carry, with its default or the value a pod needs; docs/configuration.md',
    '# describes each one. Credentials are in the Secret meshwork-secrets; per-pod values in the Deployments.',
    'apiVersion: v1',
    'kind: ConfigMap',
    'metadata:',
    '  name: meshwork-config',
    '  labels:',
    '    app.kubernetes.io/part-of: meshwork',
    'data:',
    ...lines,
    '',
  ].join('\n');
  return { yaml, data };
};

export const configMapPath = fileURLToPath(new URL('../deploy/kubernetes/base/config.yaml', import.meta.url));

for (const name of Object.keys(KubernetesValues)) {
  if (!settingSections(Catalogue).some(({ settings }) => settings.some((setting) => setting.env === name)))
    throw new Error(`KubernetesValues names ${name}, which is no setting of the catalogue`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  writeFileSync(configMapPath, kubernetesConfigMap().yaml);
  console.log(`wrote ${configMapPath}`);
}
