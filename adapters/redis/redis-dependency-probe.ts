import type { DependencyProbe } from '../../core/discovery/dependency-watch.js';
import { callRedis } from './redis-call.js';
import type { RedisConnections } from './redis-connections.js';

/**
 * Whether the process's layer 3 answers: a PING on its command connection within the usual call
 * timeouts (docs/adr/0057). In a cluster it reaches one node, so a single shard's failover may go
 * unnoticed here: the calls that touch it answer 503 naming Redis meanwhile (docs/adr/0044).
 */
export const redisDependencyProbe = (connections: RedisConnections): DependencyProbe => ({
  name: 'redis',
  check: async () => {
    await callRedis(connections.command, connections.timeouts, 'PING', () => connections.command.ping());
  },
});
