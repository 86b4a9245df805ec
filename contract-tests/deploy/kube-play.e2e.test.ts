import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServiceNames } from '../../composition/config.js';
import { h2cAgent } from '../support/http2-client.js';
import { walkTheThreeFlows, waitForTopology } from '../../test-support/deployment-flows.js';
import { findFreePorts } from '../../test-support/free-ports.js';
import { playDevOverlay, type KubePlay } from '../../test-support/kube-play.js';
import { kubernetesWorkspace, renderKustomization } from '../../test-support/kubernetes-manifests.js';
import { deployImages, requirePodman, run } from '../../test-support/podman.js';

/** What the kubelet's gRPC probe asks: grpc.health.v1 Check on port 8090, no TLS, from inside the pods' network. */
const probeScript = (hosts: readonly string[]) => `
import { credentials, makeGenericClientConstructor } from '@grpc/grpc-js';
import { service } from 'grpc-health-check';
const Client = makeGenericClientConstructor(service, 'Health');
const answers = await Promise.all(${JSON.stringify(hosts)}.map((host) => new Promise((resolve) => {
  const client = new Client(host + ':8090', credentials.createInsecure());
  client.check({ service: '' }, { deadline: Date.now() + 5000 }, (error, response) => { client.close(); resolve(error ? error.code : response.status); });
})));
console.log(JSON.stringify(answers));`;

/**
 * The dev overlay rendered by `kubectl kustomize` and run by `podman kube play`, adapted only where
 * Podman differs from Kubernetes (test-support/kube-play.ts lists each difference).
 */
describe('the Kubernetes dev overlay under podman kube play', () => {
  const http = h2cAgent();
  let workspace: string | undefined;
  let played: KubePlay | undefined;

  beforeAll(async () => {
    await requirePodman([deployImages.meshwork, deployImages.redis, deployImages.postgres]);
    workspace = await kubernetesWorkspace();
    const objects = await renderKustomization(`${workspace}/overlays/dev`);
    const [gatewayPort] = await findFreePorts(1);
    const started = Date.now();
    played = await playDevOverlay(objects, `mwkube${process.pid}`, gatewayPort!);
    await waitForTopology(http, played.gatewayUrl, { 'api-gateway': 1, auth: 1, project: 1, simulation: 1 });
    console.log(`[kube-play] dev overlay pods up and in rotation in ${Date.now() - started} ms`);
  }, 420_000);

  afterAll(async () => {
    await http.close();
    await played?.down();
    if (workspace) await rm(workspace, { recursive: true, force: true });
  }, 180_000);

  it('serves the three flows through the gateway pod', async () => {
    const walked = await walkTheThreeFlows(http, [played!.gatewayUrl], 'kube-play');
    expect(walked.streamed).toBeGreaterThan(5);
  }, 120_000);

  it('answers the gRPC probes of every pod SERVING on its plaintext health port', async () => {
    const pods = ServiceNames.map((service) => `${played!.containers[service]!.replace(new RegExp(`-${service}$`), '')}`);
    const output = await run('podman', [
      'exec',
      '-w',
      '/app',
      played!.containers['api-gateway']!,
      'node',
      '--input-type=module',
      '-e',
      probeScript(pods),
    ]);
    expect(JSON.parse(output)).toEqual(ServiceNames.map(() => 'SERVING'));
  }, 60_000);
});
