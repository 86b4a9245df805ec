import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HealthProbe, type ProbeOutcome } from '../adapters/grpc/health-checker-probe.js';
import { waitFor } from '../contract-tests/messaging/wait.js';
import { findFreePorts } from '../test-support/free-ports.js';
import { testLogger } from '../test-support/test-logger.js';
import { testMeshConfig } from '../test-support/test-mesh.js';
import { startMesh, type RunningMesh } from './launcher.js';

const logger = testLogger('health-port-test');

/** MESH_HEALTH_PORT: what a Kubernetes gRPC probe (plaintext, no client certificate) sees of a process. */
describe('the plaintext health port', () => {
  let mesh: RunningMesh | undefined;
  let dataDir: string | undefined;
  const probes: HealthProbe[] = [];
  const probe = (port: number, service: string) => {
    const made = new HealthProbe(`127.0.0.1:${port}`, service);
    probes.push(made);
    return made;
  };

  afterAll(async () => {
    probes.forEach((made) => made.close());
    await mesh?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  }, 60_000);

  it('answers SERVING without a client certificate while the mesh ports demand one, and NOT_SERVING as soon as the drain starts', async () => {
    const [port] = await findFreePorts(1);
    dataDir = await mkdtemp(join(tmpdir(), 'meshwork-health-port-'));
    mesh = await startMesh({
      config: testMeshConfig({ MESH_HEALTH_PORT: String(port), MESH_TLS: 'on', DATA_DIR: dataDir }),
      logger,
      services: ['auth'],
    });
    expect(mesh.health?.port).toBe(port);

    expect(await probe(port!, '').check(5_000)).toEqual({ serving: true });
    expect(await probe(port!, 'auth').check(5_000)).toEqual({ serving: true });
    expect(await probe(port!, 'project').check(5_000)).toEqual({ serving: false, reason: expect.stringContaining('NOT_FOUND') });
    // The same plaintext client is refused by the service's own (mutual TLS) port.
    const mtlsPort = mesh.services.get('auth')!.grpc.port;
    expect((await probe(mtlsPort, '').check(2_000)).serving).toBe(false);

    const seen: ProbeOutcome[] = [];
    const cancel = probe(port!, '').watch({ onStatus: (outcome) => seen.push(outcome), onBroken: () => undefined });
    await waitFor(() => seen.length > 0, 5_000, 'the first Watch answer');
    const stopping = mesh.stop();
    await waitFor(() => seen.some((outcome) => !outcome.serving), 5_000, 'NOT_SERVING during the drain');
    cancel();
    await stopping;
    expect(seen[0]).toEqual({ serving: true });
    expect(seen.at(-1)).toEqual({ serving: false, reason: 'NOT_SERVING' });
    expect((await probe(port!, '').check(1_000)).serving).toBe(false);
  }, 60_000);
});
