/**
 * The least-privilege ACL of the mesh's Redis user (SECURITY.md, "Redis"): the keys and channels
 * the services use, and the commands they send; no CONFIG, FLUSH*, KEYS, DEBUG or MODULE. The
 * registry's expiry events then need `notify-keyspace-events Ex` in redis.conf (without it the
 * registry falls back to a SCAN every second; docs/adr/0011). Checked against a running mesh by
 * composition/redis-acl.e2e.test.ts.
 */
export const meshRedisAclRules = (password: string): readonly string[] => [
  'on',
  `>${password}`,
  'resetkeys',
  'resetchannels',
  // Keys: the registry, every stream (live data, notifications, collaboration, system, metrics,
  // analytics), every work queue with its dead letters, and auth's shared login-failure counts.
  '~services:*',
  '~simulation:stream:*',
  '~notifications:stream:*',
  '~collaboration:stream:*',
  '~system:stream:*',
  '~monitoring:stream:*',
  '~analytics:stream:*',
  '~async:*',
  '~auth:login-failures:*',
  // Pub/Sub channels.
  '&services:changes',
  '&__keyevent@*__:expired',
  '&auth:events:*',
  '&project:events:*',
  '&simulation:events:*',
  '&simulation:data:*',
  '&notifications:user:*',
  '&system:*',
  // Commands.
  '-@all',
  '+ping', '+hello', '+select', '+client|setname', '+client|id', '+info', '+cluster|slots', '+cluster|shards', '+cluster|info', '+readonly',
  '+get', '+set', '+del', '+scan', '+exists', '+pexpire',
  '+xadd', '+xread', '+xrange', '+xlen', '+xgroup|create', '+xreadgroup', '+xack', '+xpending', '+xautoclaim', '+xclaim', '+xtrim',
  '+eval', '+evalsha', '+script|load',
  '+multi', '+exec', '+zadd', '+zcard', '+zrange', '+zrem', '+zrangebyscore', '+zremrangebyscore', '+zremrangebyrank',
  '+publish', '+spublish', '+subscribe', '+psubscribe', '+ssubscribe', '+unsubscribe', '+punsubscribe', '+sunsubscribe',
  '+config|get',
];
