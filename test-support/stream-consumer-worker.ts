/**
 * A stream consumer that reads and never acknowledges: it prints the ids it took as one JSON line
 * and waits to be killed. The fault tests run it as a child process
 * (`node --import tsx test-support/stream-consumer-worker.ts`) and SIGKILL it, to prove that
 * another consumer claims and processes what it had read.
 *
 * Environment: REDIS_URL or REDIS_CLUSTER_NODES, STREAM, GROUP, CONSUMER, COUNT.
 */
import { redisConfigOf } from '../adapters/redis/redis-config.js';
import { Catalogue } from '../composition/settings/catalogue.js';
import { readSettings } from '../composition/settings/read-settings.js';
import { openRedisStreamStore } from './redis-messaging.js';

const required = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};

const settings = readSettings(Catalogue.redis, process.env);
const config = redisConfigOf(settings.values);
if (settings.problems.length > 0 || !config.ok || !config.value) {
  throw new Error(`no Redis configuration: ${[...settings.problems, ...(config.ok ? ['REDIS_URL is not set'] : config.error)].join('; ')}`);
}

const stream = required('STREAM');
const group = required('GROUP');
const consumer = required('CONSUMER');
const count = Number(required('COUNT'));

const { adapter: store } = openRedisStreamStore(config.value, consumer);
await store.ensureGroup(stream, group, '0');
const taken: string[] = [];
while (taken.length < count) {
  const entries = await store.readGroup(stream, group, consumer, { count: count - taken.length, blockMs: 1_000 });
  taken.push(...entries.map((entry) => entry.id));
}
process.stdout.write(`${JSON.stringify({ taken })}\n`);

// Holds the entries unacknowledged until the test kills this process.
setInterval(() => {}, 60_000);
