import { createHash } from 'node:crypto';
import { isReplyError, type RedisClient } from './redis-call.js';

export interface LuaScript {
  readonly source: string;
  readonly sha: string;
}

const script = (source: string): LuaScript => ({ source, sha: createHash('sha1').update(source).digest('hex') });

/**
 * XAUTOCLAIM until `count` entries are claimed or the pending list is scanned, each with its
 * delivery count (which XAUTOCLAIM does not return). One key, so it runs in a cluster too.
 * KEYS[1] stream; ARGV group, consumer, minIdleMs, count.
 */
export const claimIdleScript = script(`
local claimed = {}
local cursor = '0-0'
local want = tonumber(ARGV[4])
repeat
  local reply = redis.call('XAUTOCLAIM', KEYS[1], ARGV[1], ARGV[2], ARGV[3], cursor, 'COUNT', want - #claimed)
  cursor = reply[1]
  for _, entry in ipairs(reply[2]) do
    if entry and entry[2] then
      local pending = redis.call('XPENDING', KEYS[1], ARGV[1], entry[1], entry[1], 1)
      local deliveries = 1
      if pending[1] then deliveries = pending[1][4] end
      claimed[#claimed + 1] = { entry[1], entry[2], deliveries }
    end
  end
until cursor == '0-0' or #claimed >= want
return claimed
`);

/**
 * XCLAIM ... JUSTID of the entries still pending for `consumer` only: the idle time restarts, the
 * delivery count does not move, and an entry another consumer has claimed meanwhile stays there.
 * KEYS[1] stream; ARGV group, consumer, id...
 */
export const keepClaimScript = script(`
local own = {}
for i = 3, #ARGV do
  local pending = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[i], ARGV[i], 1)
  if pending[1] and pending[1][2] == ARGV[2] then own[#own + 1] = ARGV[i] end
end
if #own == 0 then return 0 end
return #redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, unpack(own), 'JUSTID')
`);

/** EVALSHA, loading the script with EVAL when the server (or cluster node) does not have it yet. */
export const runScript = async (client: RedisClient, lua: LuaScript, key: string, args: readonly (string | number)[]): Promise<unknown> => {
  try {
    return await client.evalsha(lua.sha, 1, key, ...args);
  } catch (error) {
    if (!isReplyError(error) || !error.message.startsWith('NOSCRIPT')) throw error;
    return client.eval(lua.source, 1, key, ...args);
  }
};
