import { credentials, type ChannelOptions } from '@grpc/grpc-js';
import { GlobalConnectionScaler } from '../../core/pool-scaling/global-connection-scaler.js';
import { AuthServiceClient, ValidateTokenRequest } from '../../adapters/grpc/generated/auth.js';
import { MeshClient } from '../../adapters/grpc/mesh/mesh-client.js';
import { DEFAULT_MESH_CHANNEL_OPTIONS } from '../../adapters/grpc/mesh/mesh-options.js';
import { createLogger } from '../../adapters/observability/logger.js';
import { FixedInstanceSource, instanceAt } from '../../contract-tests/mesh/test-instances.js';
import { startBackendProcess } from '../support/backend-process.js';
import { median, row, sleep, type BenchScenario } from '../support/bench-types.js';
import { closedLoop } from '../support/closed-loop.js';

const request = ValidateTokenRequest.fromPartial({ token: 't', callingService: 'bench' });
const LOAD_MS = 1_500;

/** A fresh pool under a burst: when the first scale-up was decided after the burst began, and how long each new connection took to be READY. */
const burstRound = async (address: string) => {
  const instances = new FixedInstanceSource();
  instances.set('auth', [instanceAt('auth', 'a', address)]);
  const mesh = new MeshClient(AuthServiceClient, {
    service: 'auth',
    instances,
    scaler: new GlobalConnectionScaler(),
    logger: createLogger('bench', 'silent'),
  });
  try {
    const pool = () => mesh.snapshot().instances[0]!.pool;
    while (pool().readyConnections < 5) await sleep(5);
    await sleep(100);
    const began = performance.now();
    const load = closedLoop(32, async () => (await mesh.call('validateToken', request)).ok);
    let detectedMs = Number.NaN;
    while (performance.now() - began < LOAD_MS) {
      const scaleUps = Object.values(pool().scaleUps).reduce((sum, count) => sum + count, 0);
      if (scaleUps > 0 && Number.isNaN(detectedMs)) detectedMs = performance.now() - began;
      await sleep(2);
    }
    await load.stop();
    const { scaleUpTimesMs, connections } = pool();
    return { detectedMs, readyMs: median(scaleUpTimesMs), scaleUps: scaleUpTimesMs.length, connections };
  } finally {
    mesh.close();
  }
};

/** The baseline: how long a bare grpc-js channel with a connection of its own takes from creation to READY. */
const bareConnectMs = async (address: string): Promise<number> => {
  const options: Partial<ChannelOptions> = { ...DEFAULT_MESH_CHANNEL_OPTIONS, 'grpc.use_local_subchannel_pool': 1 };
  const times: number[] = [];
  for (let i = 0; i < 5; i += 1) {
    const began = performance.now();
    const client = new AuthServiceClient(address, credentials.createInsecure(), options);
    await new Promise<void>((resolve, reject) => client.waitForReady(Date.now() + 5_000, (error) => (error ? reject(error) : resolve())));
    times.push(performance.now() - began);
    client.close();
    await sleep(20);
  }
  return median(times);
};

/**
 * Scale-up of a pool under a burst of 32 callers (the rps > 100 rule fires): the time from the
 * decision to the new connection being READY (recorded by the pool itself), beside a bare grpc-js
 * channel's connect time to the same server; and how soon after the burst began the first
 * scale-up was decided (the checks run every 50 ms while the pool is busy).
 */
export const scenario: BenchScenario = {
  name: 'mesh-scale-up',
  title: 'Dynamic connection scaling: scale-up time',
  run: async ({ rounds }) => {
    const server = await startBackendProcess();
    try {
      await burstRound(server.address); // warm-up
      const ours = { readyMs: [] as number[], detectedMs: [] as number[], scaleUps: [] as number[], connections: [] as number[] };
      const bare: number[] = [];
      for (let round = 0; round < rounds; round += 1) {
        const burst = await burstRound(server.address);
        ours.readyMs.push(burst.readyMs);
        ours.detectedMs.push(burst.detectedMs);
        ours.scaleUps.push(burst.scaleUps);
        ours.connections.push(burst.connections);
        bare.push(await bareConnectMs(server.address));
      }
      return {
        method: `Per round a fresh pool (5 warm connections) gets ${LOAD_MS} ms of 32 closed-loop callers; the server runs in a child process.`,
        rows: [
          row({
            metric: 'scale-up: decision -> new connection READY (median of the round)',
            unit: 'ms',
            rounds: ours.readyMs,
            baseline: { name: 'bare grpc-js channel: new -> READY', rounds: bare },
            better: 'lower',
            target: '< 500 ms (aim < 50 ms)',
            meets: (value) => value < 500,
          }),
          row({
            metric: 'scale-up detection: burst begins -> first scale-up decided',
            unit: 'ms',
            rounds: ours.detectedMs,
            better: 'lower',
            target: '< 100 ms',
            meets: (value) => value < 100,
          }),
          row({ metric: 'scale-ups during the burst', unit: 'connections', rounds: ours.scaleUps, better: 'higher' }),
          row({ metric: 'connections at the end of the burst (max 20)', unit: 'connections', rounds: ours.connections, better: 'higher' }),
        ],
      };
    } finally {
      await server.kill();
    }
  },
};
