/**
 * The spans of one POST /projects, after a few to warm the caches, as an OTLP receiver gets them:
 * which hops, statements and events one client request costs, service by service.
 *   node --import tsx bench/profile/request-spans.ts [memory|redis-pg]
 * `redis-pg` (the default): its own redis-server and PostgreSQL database; `memory`: in-memory storage and event bus.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { redisConfigToEnv } from '../../adapters/redis/redis-config.js';
import { startOtlpReceiver } from '../../test-support/otlp-receiver.js';
import { createThrowawayDatabase } from '../../test-support/postgres-fixture.js';
import { startRedisNode } from '../../test-support/redis-fixture.js';
import { postProject, startBenchMesh } from '../support/project-mesh.js';

const shape = process.argv[2] ?? 'redis-pg';
const receiver = await startOtlpReceiver();
const cleanups: (() => Promise<void>)[] = [() => receiver.close()];
let env: Record<string, string> = {};
if (shape === 'redis-pg') {
  const [redis, database, dataDir] = await Promise.all([
    startRedisNode(),
    createThrowawayDatabase('request-spans'),
    mkdtemp(join(tmpdir(), 'meshwork-request-spans-')),
  ]);
  cleanups.push(
    () => redis.stop(),
    () => database.drop(),
    () => rm(dataDir, { recursive: true, force: true }),
  );
  env = {
    ...redisConfigToEnv(redis.config),
    MESH_STORAGE: 'sql',
    DATABASE_URL: database.url,
    DATA_DIR: dataDir,
    AUTH_KEY_ENCRYPTION_KEYS: `k1:${Buffer.alloc(32, 3).toString('base64')}`,
  };
}
const mesh = await startBenchMesh({
  ...env,
  OTEL_TRACES_SAMPLER: 'always_on',
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${receiver.endpoint}/v1/traces`,
});
const createProject = async (name: string): Promise<void> => {
  if (!(await postProject(mesh, name))) throw new Error('POST /projects: not 201');
};
/** Waits for the events a request set off (outbox relays, consumers), then for their spans to be exported. */
const settle = async (): Promise<void> => {
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  await mesh.mesh.tracing?.flush();
};

try {
  for (let i = 0; i < 5; i += 1) await createProject(`warm-up ${i}`);
  await settle();
  const before = receiver.spans().length;
  await createProject('the measured one');
  await settle();
  const spans = receiver.spans().slice(before);
  console.log(`${spans.length} spans (${shape}):`);
  for (const span of spans) console.log(`  ${span.service.padEnd(12)} ${span.kind.padEnd(9)} ${span.name}`);
} finally {
  await mesh.stop();
  for (const cleanup of cleanups) await cleanup();
}
