import { credentials, Metadata } from '@grpc/grpc-js';
import { GlobalConnectionScaler } from '../../core/pool-scaling/global-connection-scaler.js';
import { AuthServiceClient, ValidateTokenRequest } from '../../adapters/grpc/generated/auth.js';
import { MeshClient } from '../../adapters/grpc/mesh/mesh-client.js';
import { DEFAULT_MESH_CHANNEL_OPTIONS } from '../../adapters/grpc/mesh/mesh-options.js';
import { createLogger } from '../../adapters/observability/logger.js';
import { FixedInstanceSource, instanceAt } from '../../contract-tests/mesh/test-instances.js';
import { startBackendProcess, type BackendProcess } from '../support/backend-process.js';
import { median, row, sleep, type BenchScenario } from '../support/bench-types.js';
import { closedLoop, type CallSample } from '../support/closed-loop.js';

const request = ValidateTokenRequest.fromPartial({ token: 't', callingService: 'bench' });
const CALLERS = 8;
const BEFORE_MS = 1_000;
const AFTER_MS = 1_500;

interface FailoverRound {
  /** Kill -> end of the last call that failed or was slow. */
  readonly disturbedMs: number;
  readonly failed: number;
  /** Kill -> the killed instance taken out of rotation (ours only). */
  readonly ejectedMs?: number;
}

/** Under load, SIGKILL the first of two backend processes and read what the callers saw. */
const killUnderLoad = async (
  call: () => Promise<boolean>,
  [victim]: readonly BackendProcess[],
  ejectedAt?: () => number | undefined,
): Promise<FailoverRound> => {
  const load = closedLoop(CALLERS, call);
  await sleep(BEFORE_MS);
  const before = load.samples.map((sample) => sample.latencyMs);
  const killedAt = Date.now();
  await victim!.kill();
  await sleep(AFTER_MS);
  const samples = await load.stop();
  const slowMs = Math.max(50, 10 * median(before));
  const after = samples.filter((sample) => sample.endedAt >= killedAt);
  const disturbed = after.filter((sample: CallSample) => !sample.ok || sample.latencyMs > slowMs);
  const ejected = ejectedAt?.();
  return {
    disturbedMs: disturbed.length === 0 ? 0 : Math.max(...disturbed.map((sample) => sample.endedAt)) - killedAt,
    failed: after.filter((sample) => !sample.ok).length,
    ...(ejected !== undefined && { ejectedMs: ejected - killedAt }),
  };
};

const ours = async (backends: readonly BackendProcess[]): Promise<FailoverRound> => {
  const instances = new FixedInstanceSource();
  instances.set(
    'auth',
    backends.map((backend, i) => instanceAt('auth', `${i}`, backend.address)),
  );
  const mesh = new MeshClient(AuthServiceClient, {
    service: 'auth',
    instances,
    scaler: new GlobalConnectionScaler(),
    logger: createLogger('bench', 'silent'),
  });
  try {
    while (!mesh.snapshot().instances.every((instance) => instance.pool.readyConnections >= 5)) await sleep(5);
    return await killUnderLoad(
      async () => (await mesh.call('validateToken', request)).ok,
      backends,
      () => mesh.snapshot().instances.find((instance) => instance.instanceId === '0')!.lastEjectedAt,
    );
  } finally {
    mesh.close();
  }
};

/** grpc-js alone: one channel over both addresses with its own round_robin policy (ADR 0015, option 1). */
const bare = async (backends: readonly BackendProcess[]): Promise<FailoverRound> => {
  const target = `ipv4:${backends.map((backend) => backend.address).join(',')}`;
  const client = new AuthServiceClient(target, credentials.createInsecure(), {
    ...DEFAULT_MESH_CHANNEL_OPTIONS,
    'grpc.service_config': JSON.stringify({ loadBalancingConfig: [{ round_robin: {} }] }),
  });
  try {
    await new Promise<void>((resolve, reject) => client.waitForReady(Date.now() + 10_000, (error) => (error ? reject(error) : resolve())));
    const call = () =>
      new Promise<boolean>((resolve) =>
        client.validateToken(request, new Metadata(), { deadline: Date.now() + 2_000 }, (error) => resolve(error === null)),
      );
    return await killUnderLoad(call, backends);
  } finally {
    client.close();
  }
};

const withBackends = async <T>(use: (backends: readonly BackendProcess[]) => Promise<T>): Promise<T> => {
  const backends = await Promise.all([startBackendProcess(), startBackendProcess()]);
  try {
    return await use(backends);
  } finally {
    await Promise.all(backends.map((backend) => backend.kill()));
  }
};

/**
 * Failover: two backend processes under 8 closed-loop callers; one is killed with SIGKILL. Ours:
 * the mesh client (connection-level ejection, retries of safe calls on the other instance).
 * Baseline: grpc-js's own round_robin over the same two addresses, without retries.
 */
export const scenario: BenchScenario = {
  name: 'mesh-failover',
  title: 'Failover: SIGKILL of one of two instances under load',
  run: async ({ rounds }) => {
    const mine: FailoverRound[] = [];
    const theirs: FailoverRound[] = [];
    for (let round = 0; round < rounds; round += 1) {
      mine.push(await withBackends(ours));
      theirs.push(await withBackends(bare));
    }
    return {
      method: `Per round two fresh backend processes, ${CALLERS} closed-loop callers, ${BEFORE_MS} ms of load, SIGKILL of one, ${AFTER_MS} ms more. A call is disturbed when it fails or takes over 10x the median before the kill (at least 50 ms).`,
      rows: [
        row({
          metric: 'kill -> last failed or slow call',
          unit: 'ms',
          rounds: mine.map((r) => r.disturbedMs),
          baseline: { name: 'grpc-js round_robin', rounds: theirs.map((r) => r.disturbedMs) },
          better: 'lower',
          target: '< 2000 ms (aim < 500 ms)',
          meets: (value) => value < 2_000,
        }),
        row({
          metric: 'kill -> killed instance ejected',
          unit: 'ms',
          rounds: mine.map((r) => r.ejectedMs ?? Number.NaN),
          better: 'lower',
          target: '< 2000 ms',
          meets: (value) => value < 2_000,
        }),
        row({
          metric: 'failed calls after the kill',
          unit: 'calls',
          rounds: mine.map((r) => r.failed),
          baseline: { name: 'grpc-js round_robin', rounds: theirs.map((r) => r.failed) },
          better: 'lower',
          target: '0 (every call is safe to retry)',
          meets: (value) => value === 0,
        }),
      ],
    };
  },
};
