/**
 * The mesh client against bare grpc-js on ValidateToken, for profiling rather than for the record:
 *   node --cpu-prof --import tsx bench/profile/mesh-call.ts [ours|bare|both] [--one-connection]
 * Prints, per concurrency, throughput and client CPU per call of each side (steps in alternation),
 * and the median ratio of adjacent steps. `--one-connection` caps the pool at one connection.
 */
import { credentials, Metadata } from '@grpc/grpc-js';
import { AuthServiceClient, ValidateTokenRequest } from '../../adapters/grpc/generated/auth.js';
import { MeshClient } from '../../adapters/grpc/mesh/mesh-client.js';
import { createLogger } from '../../adapters/observability/logger.js';
import { GlobalConnectionScaler } from '../../core/pool-scaling/global-connection-scaler.js';
import { FixedInstanceSource, instanceAt } from '../../contract-tests/mesh/test-instances.js';
import { startBackendProcess } from '../support/backend-process.js';
import { median } from '../support/bench-types.js';
import { timedBatch } from '../support/closed-loop.js';

const STEPS = 6;
const which = process.argv[2] ?? 'both';
const oneConnection = process.argv.includes('--one-connection');
const request = ValidateTokenRequest.fromPartial({ token: 't', callingService: 'bench' });

const server = await startBackendProcess();
const instances = new FixedInstanceSource();
instances.set('auth', [instanceAt('auth', 'a', server.address)]);
const mesh = new MeshClient(AuthServiceClient, {
  service: 'auth',
  instances,
  scaler: new GlobalConnectionScaler(),
  settings: { timeoutMs: 10_000, ...(oneConnection && { scaling: { minConnections: 1, maxConnections: 1 } }) },
  logger: createLogger('bench', 'silent'),
});
const bare = new AuthServiceClient(server.address, credentials.createInsecure());
const sides = {
  ours: async () => {
    const answer = await mesh.call('validateToken', request);
    if (!answer.ok) throw new Error(answer.error.message);
  },
  bare: () =>
    new Promise<void>((resolve, reject) =>
      bare.validateToken(request, new Metadata(), { deadline: Date.now() + 10_000 }, (error) => (error ? reject(error) : resolve())),
    ),
};
const chosen = (which === 'both' ? ['ours', 'bare'] : [which]) as (keyof typeof sides)[];

try {
  for (const side of chosen) await timedBatch(2_000, 16, sides[side]);
  for (const concurrency of [1, 16, 64]) {
    const calls = concurrency === 1 ? 500 : 3_000;
    const totals = { ours: { ns: 0, cpuUs: 0 }, bare: { ns: 0, cpuUs: 0 } };
    const ratios: number[] = [];
    for (let step = 0; step < STEPS; step += 1) {
      const ns: Record<string, number> = {};
      for (const side of chosen) {
        const cpu = process.cpuUsage();
        ns[side] = await timedBatch(calls, concurrency, sides[side]);
        const used = process.cpuUsage(cpu);
        totals[side].ns += ns[side]!;
        totals[side].cpuUs += used.user + used.system;
      }
      if (chosen.length === 2) ratios.push(ns.bare! / ns.ours!);
    }
    const line = chosen.map(
      (side) =>
        `${side} ${Math.round((STEPS * calls) / (totals[side].ns / 1e9))} calls/s, ${(totals[side].cpuUs / (STEPS * calls)).toFixed(0)} µs CPU/call`,
    );
    console.log(
      `concurrency ${concurrency}: ${line.join('; ')}${ratios.length > 0 ? `; median pair ratio ${median(ratios).toFixed(3)}` : ''}`,
    );
  }
} finally {
  mesh.close();
  bare.close();
  await server.kill();
}
